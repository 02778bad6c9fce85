#!/usr/bin/env bash
# Benchmark (not a test): uploads 1 GiB to the test Blob service with service-backup, then with the
# official SDK's upload_blob, and prints throughput and peak RSS of each.
# Usage: scripts/bench-azure.sh [BINARY] [SIZE_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/bench-azure.py "${1:-.build/release/service-backup}" "${2:-1024}"
