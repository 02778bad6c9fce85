#!/usr/bin/env bash
# Benchmark (not a test): 1 GiB in 8 files to a local OpenSSH sshd, service-backup's scp destination
# against OpenSSH `scp -r` to the same server, alternating, BENCH_ROUNDS times (5). Prints medians and their ratio.
# Usage: scripts/bench-scp.sh [BINARY] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-.build/release/service-backup}")
concurrency=${2:-4}
export SERVICE_BACKUP_BIN=$binary BENCH_CONCURRENCY=$concurrency
cd Tests/integration
exec python3 - <<'PY'
import os, shutil, subprocess, tempfile, time, json
from pathlib import Path
import yaml
from sshd_fixture import SSHServer

work = Path(tempfile.mkdtemp(prefix="bench-scp-"))
server = SSHServer()
try:
    source = work / "source"
    source.mkdir()
    for index in range(8):
        with open(source / f"part-{index}.bin", "wb") as out:
            for _ in range(128):
                out.write(os.urandom(1 << 20))
    known_hosts = work / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{server.port} {server.host_key_line()}\n")
    key = server.keys["ed25519"]

    def run_scp(target):
        started = time.monotonic()
        subprocess.run(["scp", "-q", "-r", "-i", str(key), "-P", str(server.port),
                        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                        "-o", f"UserKnownHostsFile={known_hosts}", "-o", "StrictHostKeyChecking=yes",
                        str(source), f"{server.user}@127.0.0.1:{target}"], check=True)
        return time.monotonic() - started

    def run_ours(target):
        manifest = work / "backup.yml"
        manifest.write_text(yaml.safe_dump({
            "destinations": [{"type": "scp", "config": {
                "server": "127.0.0.1", "port": server.port, "user": server.user, "destination": str(target),
                "key": key.read_text(), "fingerprint": server.host_key_line(),
                "concurrency": int(os.environ["BENCH_CONCURRENCY"])}}],
            "source_folder": str(source), "cron_schedule": "* * * * *"}))
        started = time.monotonic()
        result = subprocess.run([os.environ["SERVICE_BACKUP_BIN"], "backup", str(manifest)], capture_output=True, text=True)
        elapsed = time.monotonic() - started
        if result.returncode != 0:
            raise SystemExit(result.stdout + result.stderr)
        return elapsed

    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    results = {"scp -r": [], "service-backup": []}
    for round in range(rounds):
        for name, runner in (("scp -r", run_scp), ("service-backup", run_ours)):
            target = work / f"target-{name.split()[0]}-{round}"
            target.mkdir()
            os.sync()  # the previous run's writes must not be flushed during this one
            results[name].append(runner(target))
            shutil.rmtree(target)
    median = {name: sorted(times)[len(times) // 2] for name, times in results.items()}
    for name, times in results.items():
        print(f"{name:15s} median of {rounds}: {median[name]:6.2f} s  {1024 / median[name]:7.1f} MiB/s  "
              f"(best {min(times):.2f}; runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(f"ratio of medians service-backup / scp -r: {median['service-backup'] / median['scp -r']:.2f} (below 1 is faster)")
finally:
    server.stop()
    shutil.rmtree(work, ignore_errors=True)
PY
