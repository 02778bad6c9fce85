#!/usr/bin/env bash
# Benchmarks (not tests): speed and memory of each destination against local peers.
# Usage: scripts/bench.sh [BINARY] [s3|azure|scp|restore ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/service-backup}
shift || true
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(s3 azure scp restore)
scripts/install-deps.sh
for kind in "${kinds[@]}"; do
  echo "== $kind"
  "scripts/bench-$kind.sh" "$binary"
done
