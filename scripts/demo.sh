#!/usr/bin/env bash
# Runs one real backup of examples/demo/source to ./demo-backups and shows where the files went.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/service-backup}
"$binary" validate examples/demo/backup.yml
echo
"$binary" backup examples/demo/backup.yml
echo
echo "The backup is in $(pwd)/demo-backups:"
find demo-backups -type f | sort
