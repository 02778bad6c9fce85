#!/bin/sh
# The demo's service_identifier_executable: prints the instance's identifier.
echo "demo-redis-0"
