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
echo
echo "What list, verify and restore say of it:"
"$binary" list examples/demo/backup.yml
"$binary" verify examples/demo/backup.yml --read-data
restored=$(mktemp -d)
"$binary" restore examples/demo/backup.yml --to "$restored/restored"
rm -rf "$restored"
