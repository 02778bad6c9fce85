#!/usr/bin/env bash
# The side-by-side benchmark (not a test; `make bench`): builds the native sink and WAN proxy (bench/*.c) and the
# bench's own Python venv (awscli, azure-storage-blob, google-cloud-storage, matplotlib), installs rclone, then runs
# bench/run.py, which writes bench/RESULTS.md, bench/results.json and bench/results.png.
# Usage: scripts/bench.sh [BINARY]     (default: the release build)
# Environment: BENCH_SCALE=small|full (full), BENCH_REPS (3), BENCH_CASES (all: s3-1g,s3-many,s3-4g,azure-1g,gcs-1g,scp,restore,idle,wan-s3,wan-azure).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/release/service-backup}")
build=.build/bench
mkdir -p "$build"
cc -O2 -Wall -Wextra -pthread -o "$build/sink" bench/sink*.c
cc -O2 -Wall -Wextra -pthread -o "$build/wanproxy" bench/wanproxy.c
if ! command -v rclone >/dev/null || [ ! -x /usr/sbin/sshd ] || [ ! -x /usr/bin/time ]; then
  apt-get install -y -q rclone openssh-server openssh-client curl time >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q rclone openssh-server openssh-client curl time >/dev/null; }
fi
if [ ! -x "$build/venv/bin/python" ] || ! cmp -s bench/requirements.txt "$build/venv/requirements.txt"; then
  python3 -m venv "$build/venv"
  "$build/venv/bin/pip" install -q -r bench/requirements.txt
  cp bench/requirements.txt "$build/venv/requirements.txt"
fi
exec "$build/venv/bin/python" bench/run.py "$binary" "$build"
