#!/usr/bin/env python3
"""Restore benchmark (not a test): a release build backs up one large file to the S3 test peer
(moto_server on 127.0.0.1, signature checking on), then restores it; prints the restore's time and peak RSS
(from the kernel's rusage of the child) and checks the restored bytes. Fails when peak RSS exceeds 64 MiB.
    scripts/bench-restore.py BINARY [size-in-GiB]     (default 4; the file holds random 1 MiB blocks, repeated)"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "integration"))
from moto_fixture import start_moto, stop_moto  # noqa: E402
import yaml  # noqa: E402

LIMIT_KIB = 64 * 1024


def timed(command: list[str]) -> tuple[float, int]:
    """Runs `command`; returns its wall seconds and peak RSS in KiB."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[1]} failed: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss


def main():
    binary = sys.argv[1]
    gib = float(sys.argv[2]) if len(sys.argv) > 2 else 4
    work = Path(tempfile.mkdtemp(prefix="bench-restore-"))
    os.chmod(work, 0o700)
    moto = start_moto(work)
    try:
        source = work / "source"
        source.mkdir()
        block = os.urandom(1 << 20)
        digest = hashlib.sha256()
        with open(source / "dump.rdb", "wb") as out:
            for _ in range(int(gib * 1024)):
                out.write(block)
                digest.update(block)
        config = work / "backup.yml"
        config.write_text(yaml.safe_dump({
            "destinations": [{"type": "s3", "config": {
                "endpoint_url": moto.endpoint, "bucket_name": "bench", "bucket_path": "redis", "region": "us-east-1",
                "access_key_id": moto.access_key, "secret_access_key": moto.secret_key, "part_size": "64MiB"}}],
            "source_folder": str(source), "cron_schedule": "@daily"}))
        upload, upload_rss = timed([binary, "backup", str(config)])
        (source / "dump.rdb").unlink()
        seconds, rss = timed([binary, "restore", str(config), "--to", str(work / "restored")])
        restored = hashlib.sha256()
        with open(work / "restored" / "dump.rdb", "rb") as restored_file:
            while chunk := restored_file.read(1 << 24):
                restored.update(chunk)
        size = gib * 1024
        print(f"backup:  {size:.0f} MiB in {upload:.1f} s ({size / upload:.0f} MiB/s), peak RSS {upload_rss / 1024:.1f} MiB")
        print(f"restore: {size:.0f} MiB in {seconds:.1f} s ({size / seconds:.0f} MiB/s), peak RSS {rss / 1024:.1f} MiB")
        if restored.digest() != digest.digest():
            sys.exit("the restored file differs from the original")
        if rss > LIMIT_KIB:
            sys.exit(f"restore peak RSS {rss} KiB is over {LIMIT_KIB} KiB")
    finally:
        stop_moto(moto)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
