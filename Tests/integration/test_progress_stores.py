"""The terminal progress of one large file moves part-way on every kind of store: the bytes are counted as the
upload reads them to send (S3 parts, Azure blocks, GCS chunks, SFTP writes, the SCP protocol, local copies)."""
import base64
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from azure_server import BlobServer  # noqa: E402
from conftest import log_lines, write_manifest  # noqa: E402
from gcs_fixture import GCSServer  # noqa: E402
from moto_fixture import moto_s3  # noqa: E402,F401  (the fixture)
from sshd_fixture import SSHServer  # noqa: E402
from test_status import run_with_terminal_stderr  # noqa: E402

MiB = 1 << 20
SIZE = 12 * MiB
LIMIT_BYTES = 4 * MiB
LIMIT = "4MiB"  # about three seconds for the file: a dozen redraws


def percents(screen: bytes, label: str) -> list[int]:
    lines = [line for line in screen.decode().replace("\r", "\n").split("\n") if label in line]
    return [int(re.search(r"  (\d+)%", line).group(1)) for line in lines]


def assert_moves_part_way(binary, tmp_path: Path, destination: dict, label: str):
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump.rdb").write_bytes(os.urandom(SIZE))
    config = write_manifest(tmp_path, {
        "destinations": [destination], "source_folder": str(source), "cron_schedule": "@daily",
    })
    code, stdout, screen = run_with_terminal_stderr(binary, "backup", config)
    assert code == 0, stdout + screen.decode(errors="replace")
    seen = percents(screen, label)
    assert seen == sorted(seen), f"progress never goes back: {seen}"
    assert len({p for p in seen if 0 < p < 100}) >= 2, f"the board shows the file part-way at least twice: {seen}"
    assert seen[-1] == 100
    [summary] = [line["data"] for line in log_lines(stdout) if line["message"].endswith("upload summary")]
    assert summary["bytes"] == SIZE
    # The counter rides with the limit, which still holds (the SCP protocol's writes included).
    assert summary["bytes"] / summary["seconds"] <= 1.05 * LIMIT_BYTES, summary


def test_s3_parts(binary, tmp_path, moto_s3):
    assert_moves_part_way(binary, tmp_path, {"type": "s3", "name": "parts", "config": {
        "bucket_name": "progress", "bucket_path": "backups", "endpoint_url": moto_s3.endpoint,
        "access_key_id": moto_s3.access_key, "secret_access_key": moto_s3.secret_key,
        "part_size": "5MiB", "concurrency": 2, "bandwidth_limit": LIMIT}}, "s3 destination parts")


def test_azure_blocks(binary, tmp_path):
    key = base64.b64encode(os.urandom(64)).decode()
    with BlobServer(tmp_path / "blob-service", {"progressacct": key}) as server:
        assert_moves_part_way(binary, tmp_path, {"type": "azure", "name": "blocks", "config": {
            "storage_account": "progressacct", "storage_access_key": key, "container": "backups", "path": "redis",
            "endpoint": server.url("progressacct"), "bandwidth_limit": LIMIT}}, "azure destination blocks")


def test_gcs_chunks(binary, tmp_path):
    with GCSServer(tmp_path / "fake-gcs") as server:
        assert_moves_part_way(binary, tmp_path, {"type": "gcs", "name": "chunks", "config": server.config(
            "progress", chunk_size="1MiB", bandwidth_limit=LIMIT)}, "gcs destination chunks")


@pytest.mark.parametrize("sftp", [True, False], ids=["sftp", "scp-protocol"])
def test_scp_writes(binary, tmp_path, sftp):
    server = SSHServer(sftp=sftp)
    try:
        assert_moves_part_way(binary, tmp_path, {"type": "scp", "name": "writes", "config": {
            "server": "127.0.0.1", "port": server.port, "user": server.user, "destination": str(tmp_path / "target"),
            "key": server.key_text("ed25519"), "fingerprint": server.host_fingerprint(),
            "bandwidth_limit": LIMIT}}, "scp destination writes")
    finally:
        server.stop()
