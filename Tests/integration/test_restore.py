"""A backup's whole life on every store, against its real peer: back up a tree, list it, verify it,
restore it byte for byte; a stopped run, an altered object and a file that changes during its upload."""
import datetime
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import base64
import sys

import pytest
from azure.storage.blob import BlobServiceClient

sys.path.insert(0, str(Path(__file__).parent))
from azure_server import BlobServer  # noqa: E402
from gcs_fixture import GCSServer  # noqa: E402
from conftest import run_cli, write_manifest  # noqa: E402
from moto_fixture import moto_s3  # noqa: E402,F401  (a fixture)
from sshd_fixture import SSHServer  # noqa: E402


@dataclass
class Peer:
    """One store on its test peer, and the peer's own ways to look at and change what is stored."""
    name: str
    destination: dict
    # Bytes that make the store split a file (S3 parts, Azure blocks).
    large: int
    # A file this big uploads long enough to be caught in flight.
    slow: int
    # Whether an object (by key below the destination's base path) is being written right now.
    in_flight: Callable[[], bool]
    # Overwrites an object through the peer's own client.
    alter: Callable[[str, bytes], None]


@pytest.fixture
def local_peer(tmp_path: Path) -> Peer:
    root = tmp_path / "store"
    return Peer("local", {"type": "local", "name": "nfs", "config": {"path": str(root)}}, large=3 << 20,
                slow=768 << 20, in_flight=partial_files_below(root), alter=lambda key, data: (root / key).write_bytes(data))


def partial_files_below(root: Path) -> Callable[[], bool]:
    return lambda: root.exists() and any("partial-" in p.name for p in root.rglob("*"))


@pytest.fixture
def scp_peer(tmp_path: Path) -> Peer:
    sshd = SSHServer()
    root = tmp_path / "remote backups"
    config = {"server": "127.0.0.1", "port": sshd.port, "user": sshd.user, "destination": str(root),
              "key": sshd.key_text("ed25519"), "fingerprint": sshd.host_fingerprint()}
    yield Peer("scp", {"type": "scp", "name": "offsite", "config": config}, large=3 << 20, slow=512 << 20,
               in_flight=partial_files_below(root), alter=lambda key, data: (root / key).write_bytes(data))
    sshd.stop()


@pytest.fixture
def azure_peer(tmp_path: Path) -> Peer:
    account, container, key = "backupacct", "backups", base64.b64encode(os.urandom(64)).decode()
    with BlobServer(tmp_path / "blob-service", {account: key}) as server:
        client = BlobServiceClient(server.url(account), credential={"account_name": account, "account_key": key})
        blobs = client.get_container_client(container)
        config = {"storage_account": account, "storage_access_key": key, "container": container, "path": "redis",
                  "endpoint": server.url(account), "block_size": "1MiB"}
        yield Peer("azure", {"type": "azure", "config": config}, large=3 << 20, slow=256 << 20,
                   in_flight=lambda: bool(server.ops("put_block")),
                   alter=lambda name, data: blobs.upload_blob(f"redis/{name}", data, overwrite=True))


@pytest.fixture
def s3_peer(moto_s3) -> Peer:
    client = moto_s3.client()
    bucket = f"restore-{os.urandom(4).hex()}"
    config = {"endpoint_url": moto_s3.endpoint, "bucket_name": bucket, "bucket_path": "redis/backups", "region": "us-east-1",
              "access_key_id": moto_s3.access_key, "secret_access_key": moto_s3.secret_key, "part_size": "5MiB"}

    def in_flight() -> bool:
        try:
            return bool(client.list_multipart_uploads(Bucket=bucket).get("Uploads"))
        except client.exceptions.NoSuchBucket:
            return False

    return Peer("s3", {"type": "s3", "config": config}, large=6 << 20, slow=160 << 20, in_flight=in_flight,
                alter=lambda key, data: client.put_object(Bucket=bucket, Key=f"redis/backups/{key}", Body=data))


@pytest.fixture
def gcs_peer(tmp_path: Path) -> Peer:
    bucket = "restore-backups"
    with GCSServer(tmp_path / "fake-gcs") as server:
        yield Peer("gcs", {"type": "gcs", "config": server.config(bucket, chunk_size="1MiB")}, large=3 << 20,
                   slow=128 << 20, in_flight=lambda: server.state.chunk_requests > 0,
                   alter=lambda key, data: server.write(bucket, key, data))


@pytest.fixture(params=["local", "s3", "azure", "scp", "gcs"])
def peer(request) -> Peer:
    return request.getfixturevalue(f"{request.param}_peer")


def day() -> str:
    return datetime.date.today().strftime("%Y/%m/%d")


def make_tree(source: Path, large: int) -> dict[str, bytes]:
    tree = {
        "a.txt": b"hello\n",
        "empty": b"",
        "nested/deeper/dump.rdb": os.urandom(100_000),
        "with space/naïve ünïcödé €.dat": os.urandom(3000),
        "large.bin": os.urandom(large + 12345),
    }
    for name, data in tree.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    return tree


def manifest_for(tmp_path: Path, peer: Peer, source: Path) -> Path:
    return write_manifest(tmp_path, {"destinations": [peer.destination], "source_folder": str(source),
                                     "cron_schedule": "@daily"})


def runs(binary, config) -> list[dict]:
    listed = run_cli(binary, "list", config, "--json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_round_trip(tmp_path, binary, peer):
    source = tmp_path / "source"
    tree = make_tree(source, peer.large)
    config = manifest_for(tmp_path, peer, source)
    backed = run_cli(binary, "backup", config)
    assert backed.returncode == 0, backed.stdout + backed.stderr

    [run] = runs(binary, config)
    assert run["state"] == "complete" and run["files"] == len(tree) and run["bytes"] == sum(map(len, tree.values()))
    assert run["day_folder"] == day() and run["run_id"].startswith(datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d"))
    table = run_cli(binary, "list", config)
    assert run["run_id"] in table.stdout and "complete" in table.stdout

    verified = run_cli(binary, "verify", config, "--read-data")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    target = tmp_path / "restored"
    restored = run_cli(binary, "restore", config, "--to", target)
    assert restored.returncode == 0, restored.stderr
    assert read_tree(target) == tree
    again = run_cli(binary, "restore", config, "--to", target)
    assert again.returncode != 0 and "not empty" in again.stderr
    by_date = run_cli(binary, "restore", config, "--to", tmp_path / "by-date", "--date", day())
    assert by_date.returncode == 0 and read_tree(tmp_path / "by-date") == tree


def start_backup(binary, config) -> subprocess.Popen:
    return subprocess.Popen([str(binary), "backup", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def await_in_flight(peer: Peer, process: subprocess.Popen, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not peer.in_flight():
        assert process.poll() is None, "the backup ended before its large file was caught in flight"
        assert time.monotonic() < deadline, "the large file's upload never started"
        time.sleep(0.002)


def test_a_stopped_run_leaves_no_manifest_and_restore_refuses_it(tmp_path, binary, peer):
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.txt").write_bytes(b"first\n")
    with open(source / "z-slow.bin", "wb") as slow:
        slow.truncate(peer.slow)
    config = manifest_for(tmp_path, peer, source)
    process = start_backup(binary, config)
    await_in_flight(peer, process)
    deadline = time.monotonic() + 30
    while not runs(binary, config):  # a.txt is stored
        assert time.monotonic() < deadline, "a.txt never arrived"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0

    [run] = runs(binary, config)
    assert run["state"] == "incomplete" and run["run_id"] is None
    refused = run_cli(binary, "restore", config, "--to", tmp_path / "restored", "--allow-incomplete", "--date", day())
    assert refused.returncode != 0  # --date picks complete runs only
    refused = run_cli(binary, "restore", config, "--to", tmp_path / "restored")
    assert refused.returncode != 0 and "no complete run" in refused.stderr
    assert run_cli(binary, "verify", config).returncode == 1


def test_an_altered_object_fails_verify_and_restore_by_name(tmp_path, binary, peer):
    source = tmp_path / "source"
    tree = make_tree(source, 0)
    config = manifest_for(tmp_path, peer, source)
    assert run_cli(binary, "backup", config).returncode == 0
    name = "with space/naïve ünïcödé €.dat"
    peer.alter(f"{day()}/{name}", os.urandom(len(tree[name])))

    assert run_cli(binary, "verify", config).returncode == 0  # sizes still match
    verified = run_cli(binary, "verify", config, "--read-data")
    assert verified.returncode == 1 and name in verified.stdout
    restored = run_cli(binary, "restore", config, "--to", tmp_path / "restored")
    assert restored.returncode != 0 and name in restored.stderr
    assert not (tmp_path / "restored" / name).exists()


def test_a_file_that_grows_during_its_upload_fails_the_run(tmp_path, binary, peer):
    source = tmp_path / "source"
    source.mkdir()
    with open(source / "growing.bin", "wb") as growing:
        growing.truncate(peer.slow)
    config = manifest_for(tmp_path, peer, source)
    process = start_backup(binary, config)
    await_in_flight(peer, process)
    with open(source / "growing.bin", "ab") as growing:
        growing.write(b"more")
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 2
    errors = [json.loads(line) for line in stdout.splitlines() if "completed with error" in line]
    assert errors and "growing.bin changed while it was being backed up" in errors[-1]["data"]["error"]
    assert all(r["state"] != "complete" for r in runs(binary, config))
