#!/usr/bin/env bash
# Upload benchmark for the S3 destination (not a test): a release build uploads a 4 GiB file, then a
# 5.5 GiB one (over S3's 5 GiB single-PUT limit), to a local sink that discards bodies
# (scripts/s3-sink.py), and reports peak RSS and throughput. Fails when peak RSS exceeds 64 MiB or an
# object arrives with the wrong size.
#   scripts/bench-s3.sh [BINARY] [size-in-GiB]        (default: the release build, 4; the files are sparse)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-}
GIB=${2:-4}
LIMIT_KIB=$((64 * 1024))

if [ -z "$BIN" ]; then
  swift build -c release --product service-backup >/dev/null
  BIN=$(swift build -c release --show-bin-path)/service-backup
fi

WORK=$(mktemp -d)
chmod 700 "$WORK"
SINK_PID=""
cleanup() { [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

python3 scripts/s3-sink.py "$WORK/objects" >"$WORK/port" &
SINK_PID=$!
for _ in $(seq 200); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT=$(head -1 "$WORK/port")

run() {  # run NAME SIZE-EXPRESSION
    local name=$1 size=$2
    mkdir -p "$WORK/$name"
    truncate -s "$size" "$WORK/$name/$name.bin"
    local bytes; bytes=$(stat -c %s "$WORK/$name/$name.bin")
    cat >"$WORK/$name.yml" <<YAML
source_folder: $WORK/$name
cron_schedule: "@daily"
destinations:
- type: s3
  name: bench
  config:
    bucket_name: bench
    bucket_path: runs
    endpoint_url: http://127.0.0.1:$PORT
    region: us-east-1
    access_key_id: BENCHKEY
    secret_access_key: benchsecret
YAML
    /usr/bin/time -v "$BIN" backup "$WORK/$name.yml" >"$WORK/$name.log" 2>"$WORK/$name.time"
    local rss; rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
    local rate; rate=$(grep -o '"mib_per_second":[0-9.]*' "$WORK/$name.log" | cut -d: -f2)
    local seconds; seconds=$(grep -o '"seconds":[0-9.]*' "$WORK/$name.log" | cut -d: -f2)
    local stored; stored=$(awk -v n="/bench/runs/" '$1 ~ n && $1 ~ /'"$name"'.bin$/ {print $2}' "$WORK/objects" | tail -1)
    printf '%-6s %6.2f GiB  peak RSS %6.1f MiB  %8.1f MiB/s  %6.1f s  stored %s bytes\n' \
        "$name" "$(echo "$bytes / 1073741824" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$rate" "$seconds" "$stored"
    [ "$stored" = "$bytes" ] || { echo "FAIL: $name stored $stored bytes, expected $bytes"; exit 1; }
    [ "$rss" -le "$LIMIT_KIB" ] || { echo "FAIL: peak RSS ${rss} KiB over ${LIMIT_KIB} KiB"; exit 1; }
}

run large "${GIB}G"
run huge "5632M"
