"""Uploads one file of SIZE MiB to the test Blob service (Tests/integration/azure_server.py, its own
process) with service-backup and with the official SDK's upload_blob; prints seconds, MiB/s and peak RSS."""
import base64
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT, CONTAINER = "benchacct", "bench"
BLOCK, CONCURRENCY = 8 << 20, 4

SDK_UPLOAD = """
import sys
from azure.storage.blob import BlobClient
url, key, path = sys.argv[1:4]
client = BlobClient(url, container_name="bench", blob_name="sdk/file.bin",
                    credential={"account_name": "benchacct", "account_key": key},
                    max_block_size=int(sys.argv[4]), max_single_put_size=int(sys.argv[4]))
with open(path, "rb") as data:
    client.upload_blob(data, overwrite=True, max_concurrency=int(sys.argv[5]), validate_content=True)
"""


def timed(command: list[str]) -> tuple[float, int, int, float]:
    """Runs `command`; returns wall seconds, its peak RSS in KiB, its exit status and its CPU seconds."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    return time.monotonic() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status), cpu


def main() -> None:
    binary, size_mib = Path(sys.argv[1]).resolve(), int(sys.argv[2])
    key = base64.b64encode(os.urandom(64)).decode()
    with tempfile.TemporaryDirectory() as work:
        os.chmod(work, 0o700)
        work = Path(work)
        source = work / "source"
        source.mkdir()
        chunk = os.urandom(1 << 20)
        with open(source / "file.bin", "wb") as out:
            for i in range(size_mib):
                out.write(chunk[i % 7:] + chunk[: i % 7])
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "Tests/integration/azure_server.py"), "--root", str(work / "service"),
             "--account", ACCOUNT, "--key", key], stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline())
            url = f"http://127.0.0.1:{port}/{ACCOUNT}"
            manifest = work / "backup.yml"
            manifest.write_text(yaml.safe_dump({
                "destinations": [{"type": "azure", "config": {
                    "storage_account": ACCOUNT, "storage_access_key": key, "container": CONTAINER, "path": "sb",
                    "endpoint": url, "block_size": BLOCK, "concurrency": CONCURRENCY}}],
                "source_folder": str(source), "cron_schedule": "* * * * *"}))
            results = []
            seconds, rss, status, cpu = timed([str(binary), "backup", str(manifest)])
            assert status == 0, f"service-backup exited {status}"
            results.append(("service-backup", seconds, rss, cpu))
            seconds, rss, status, cpu = timed([sys.executable, "-c", SDK_UPLOAD, url, key, str(source / "file.bin"),
                                          str(BLOCK), str(CONCURRENCY)])
            assert status == 0, f"SDK upload exited {status}"
            results.append(("azure-storage-blob upload_blob", seconds, rss, cpu))
        finally:
            server.terminate()
            server.wait()
    print(f"{size_mib} MiB, {BLOCK >> 20} MiB blocks, {CONCURRENCY} in flight, Content-MD5 on every block")
    for name, seconds, rss, cpu in results:
        print(f"{name:32s} {seconds:7.2f} s {size_mib / seconds:8.1f} MiB/s  peak RSS {rss / 1024:7.1f} MiB"
              f"  client CPU {cpu:6.2f} s")


if __name__ == "__main__":
    main()
