#!/usr/bin/env bash
# Restore benchmark (not a test): see scripts/bench-restore.py.
#   scripts/bench-restore.sh [BINARY] [size-in-GiB]
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/bench-restore.py "${1:-.build/release/service-backup}" "${2:-4}"
