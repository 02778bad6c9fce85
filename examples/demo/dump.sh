#!/bin/sh
# The demo's source_executable: a real service would dump its data into the source folder here.
test -d examples/demo/source
