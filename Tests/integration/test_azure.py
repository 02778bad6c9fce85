"""The azure destination against the test Blob service (azure_server.py), whose SharedKey check is the
official SDK's; what arrived is read back with the official SDK."""
import base64
import datetime
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

sys.path.insert(0, str(Path(__file__).parent))
from azure_server import BlobServer  # noqa: E402
from conftest import (  # noqa: E402
    assert_no_secrets, conformance_binary, log_lines, messages, run_cli, run_conformance, write_manifest,
)

ACCOUNT = "backupacct"
CONTAINER = "backups"
MIB = 1 << 20


@pytest.fixture
def key() -> str:
    return base64.b64encode(os.urandom(64)).decode()


@pytest.fixture
def server(tmp_path, key):
    with BlobServer(tmp_path / "blob-service", {ACCOUNT: key}) as server:
        yield server


def sdk(server: BlobServer, key: str, **config):
    service = BlobServiceClient(server.url(ACCOUNT), credential={"account_name": ACCOUNT, "account_key": key}, **config)
    return service.get_container_client(CONTAINER)


def manifest(tmp_path: Path, source: Path, server: BlobServer, key: str, **extra) -> Path:
    config = {"storage_account": ACCOUNT, "storage_access_key": key, "container": CONTAINER,
              "path": "redis/backups", "endpoint": server.url(ACCOUNT), **extra}
    return write_manifest(tmp_path, {
        "destinations": [{"type": "azure", "name": "blob", "config": config}],
        "source_folder": str(source),
        "cron_schedule": "* * * * *",
    })


def dated(prefix: str) -> str:
    return f"{prefix}/{datetime.date.today():%Y/%m/%d}"


def make_tree(source: Path) -> dict[str, bytes]:
    files = {
        "dump.rdb": os.urandom(300_000),
        "nested/deeper/still/file.bin": os.urandom(1234),
        "with space/ünïcødé ☃.txt": "snow ☃\n".encode(),
        "empty.bin": b"",
        "big/multi-block.tar": os.urandom(5 * MIB + 12345),  # 6 blocks of 1 MiB
    }
    for name, data in files.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def test_tree_arrives_byte_identical(tmp_path, binary, server, key):
    source = tmp_path / "source"
    files = make_tree(source)
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, key, block_size="1MiB", concurrency=3))
    assert result.returncode == 0, result.stdout + result.stderr
    said = messages(result.stdout)
    assert any(m.endswith(f"about to upload {source} to Azure remote path {dated('redis/backups')}") for m in said)
    assert any(m.endswith("azure completed") for m in said)
    assert any(m.endswith("Upload backup completed successfully") for m in said)
    summary = [line for line in log_lines(result.stdout) if line["message"].endswith("azure upload summary")]
    assert summary and summary[0]["data"]["files"] == len(files)

    container = sdk(server, key)
    expected = {f"{dated('redis/backups')}/{name}": data for name, data in files.items()}
    blobs = {blob.name: blob.size for blob in container.list_blobs()}
    [run_manifest] = [name for name in blobs if name.endswith(".manifest.json")]
    del blobs[run_manifest]
    assert blobs == {n: len(d) for n, d in expected.items()}
    for name, data in expected.items():
        assert container.download_blob(name).readall() == data, name

    # Blocks for the big file only, each block checked by its CRC-64 (no MD5), none sent twice; small files in one request.
    blocks = server.ops("put_block", 201)
    assert {e.checksums for e in blocks} == {("crc64",)}
    assert {e.checksums for e in server.ops("put_blob", 201)} == {("crc64",)}
    assert len(blocks) == 6 and {e.blob for e in blocks} == {f"{dated('redis/backups')}/big/multi-block.tar"}
    assert len({e.block_id for e in blocks}) == 6 and len({len(e.block_id) for e in blocks}) == 1
    # Small files and the run manifest in one request each; every blob's size checked once after its upload.
    assert len(server.ops("put_blob", 201)) == len(files)
    assert len(server.ops("get_blob_properties", 200)) == len(files) + 1
    assert_no_secrets(result.stdout, result.stderr, secrets=[key])


def test_second_run_into_existing_container_and_retried_block(tmp_path, binary, server, key):
    source = tmp_path / "source"
    source.mkdir()
    data = os.urandom(3 * MIB)
    (source / "data.bin").write_bytes(data)
    path = manifest(tmp_path, source, server, key, block_size="1MiB", concurrency=2)
    assert run_cli(binary, "backup", path).returncode == 0

    server.inject("put_block", 503, "ServerBusy")
    server.inject("put_block_list", 500, "InternalError")
    result = run_cli(binary, "backup", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(server.ops("create_container", 409)) == 1  # already there: fine
    assert len(server.ops("put_block", 503)) == 1
    assert len(server.ops("put_block", 201)) == 3 + 3  # the failed block alone was sent again
    summary = [line for line in log_lines(result.stdout) if line["message"].endswith("azure upload summary")]
    assert summary[0]["data"]["retries"] == 2
    assert sdk(server, key).download_blob(f"{dated('redis/backups')}/data.bin").readall() == data


def test_retry_attempts_1_gives_up_at_the_first_failure(tmp_path, binary, server, key):
    source = tmp_path / "source"
    source.mkdir()
    (source / "data.bin").write_bytes(os.urandom(3 * MIB))
    server.inject("put_block", 503, "ServerBusy")
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, key, block_size="1MiB", concurrency=1,
                                                retry_attempts=1))
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in log_lines(result.stdout) if line["message"].endswith("Upload backup completed with error")]
    assert errors and "ServerBusy" in errors[0]["data"]["error"], result.stdout
    # The refused block was not sent again, and nothing after it was sent at all.
    assert len(server.ops("put_block", 503)) == 1
    assert server.ops("put_block", 201) == [] and server.ops("put_block_list", 201) == []
    assert server.committed(ACCOUNT, CONTAINER) == {}
    assert_no_secrets(result.stdout, result.stderr, secrets=[key])


def test_wrong_key_exits_2_and_commits_nothing(tmp_path, binary, server, key):
    source = tmp_path / "source"
    make_tree(source)
    wrong = base64.b64encode(os.urandom(64)).decode()
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, wrong))
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in log_lines(result.stdout) if line["message"].endswith("Upload backup completed with error")]
    assert errors, result.stdout
    text = errors[0]["data"]["error"]
    assert "AuthenticationFailed" in text and "storage_access_key" in text
    assert not any(m.endswith("azure completed") for m in messages(result.stdout))
    assert server.committed(ACCOUNT, CONTAINER) == {}
    # Not retried: one refused request, then the run gave up.
    assert len(server.ops("create_container", 403)) == 1 and len(server.events) == 1
    # The service's 403 echoes the signature it got and the string it signed; neither may reach the logs.
    assert_no_secrets(result.stdout, result.stderr, secrets=[wrong, key])
    assert "SharedKey" not in result.stdout + result.stderr
    assert "MAC signature" not in result.stdout and "string to sign" not in result.stdout


def three_blocks_at_once(server: BlobServer, command: list, held_after: int) -> tuple[str, str]:
    """Runs `command` with the blocks after the first `held_after` held by the service until three wait at
    once, then lets them go; returns its output once it succeeded."""
    gate = server.hold_blocks_after(held_after)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        server.wait_for(lambda s: s.waiting_at_gate >= 3, timeout=60)  # three blocks in flight at once
    finally:
        gate.set()
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stdout + stderr
    return stdout, stderr


def test_blocks_go_up_several_at_a_time_and_no_more(tmp_path, binary, server, key):
    source = tmp_path / "source"
    source.mkdir()
    data = os.urandom(10 * MIB)
    (source / "data.bin").write_bytes(data)
    command = [str(binary), "backup", str(manifest(tmp_path, source, server, key, block_size="1MiB", concurrency=3))]
    three_blocks_at_once(server, command, held_after=0)
    assert server.most_active_blocks == 3
    assert sdk(server, key).download_blob(f"{dated('redis/backups')}/data.bin").readall() == data


def test_killed_upload_leaves_no_blob(tmp_path, binary, server, key):
    source = tmp_path / "source"
    source.mkdir()
    (source / "large.bin").write_bytes(os.urandom(12 * MIB))
    gate = server.hold_blocks_after(3)
    process = subprocess.Popen([str(binary), "backup", str(manifest(tmp_path, source, server, key, block_size="1MiB"))],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Some blocks stored, the next ones held by the service: the upload is mid-file.
        server.wait_for(lambda s: len(s.ops("put_block", 201)) >= 3 and s.waiting_at_gate >= 1, timeout=60)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        gate.set()
        if process.poll() is None:
            process.kill()
        process.communicate()
    blob = f"{dated('redis/backups')}/large.bin"
    assert server.uncommitted(ACCOUNT, CONTAINER, blob) >= 3
    assert server.committed(ACCOUNT, CONTAINER) == {}
    assert [b.name for b in sdk(server, key).list_blobs()] == []
    assert not server.ops("put_blob") and not server.ops("put_block_list")


def test_clock_skew_is_named_as_such(tmp_path, binary, server, key):
    source = tmp_path / "source"
    make_tree(source)
    server.clock_offset = 3600  # the service is an hour ahead of this machine
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, key))
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in log_lines(result.stdout) if line["message"].endswith("Upload backup completed with error")]
    assert errors and "clock" in errors[0]["data"]["error"] and "storage_access_key" not in errors[0]["data"]["error"]
    assert server.committed(ACCOUNT, CONTAINER) == {}
    assert_no_secrets(result.stdout, result.stderr, secrets=[key])


# The azure store on its own, through store-conformance.

def store_manifest(tmp_path: Path, server: BlobServer, key: str, **extra) -> Path:
    config = {"storage_account": ACCOUNT, "storage_access_key": key, "container": CONTAINER,
              "path": "redis/backups", "endpoint": server.url(ACCOUNT), "block_size": "1MiB", "concurrency": 3, **extra}
    return write_manifest(tmp_path, {
        "destinations": [{"type": "azure", "name": "blob", "config": config}],
        "source_folder": str(tmp_path),
        "cron_schedule": "@daily",
    }, name="store.yml")


def store_process(manifest: Path, *args) -> list[str]:
    return [str(conformance_binary()), str(manifest), *map(str, args)]


def store_command(manifest: Path, *args) -> list[dict]:
    """Runs `put KEY FILE`, `get KEY FILE` or `list PREFIX` with the manifest's store; its JSON lines."""
    result = subprocess.run(store_process(manifest, *args), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_azure_store_conforms(tmp_path, server, key):
    server.page_size = 2  # listings come back in pages of two, each naming the next
    run_conformance(store_manifest(tmp_path, server, key), large_size=3 * MIB + 12345)
    # The large file went up as four 1 MiB blocks (the last one short), the others as single Put Blobs.
    blocks = server.ops("put_block", 201)
    assert len(blocks) == 4 and len({e.block_id for e in blocks}) == 4
    assert {e.blob for e in blocks} == {e.blob for e in server.ops("put_block_list", 201)}
    assert all(e.blob.startswith("redis/backups/conformance-") for e in server.ops("put_blob", 201))
    lists = server.ops("list_blobs", 200)
    assert len(lists) > len({e.blob for e in lists}) + 1  # some listings took more than one page
    assert server.ops("delete_blob", 202) and server.ops("delete_blob", 404)
    assert server.committed(ACCOUNT, CONTAINER) == {}  # the suite removed all it wrote


def test_sdk_and_store_read_each_others_blobs(tmp_path, server, key):
    path = store_manifest(tmp_path, server, key)
    data = os.urandom(3 * MIB + 777)
    (tmp_path / "ours.bin").write_bytes(data)
    name = "2026/01/02/with space/ünïcødé ☃ & <co>.bin"
    [put] = store_command(path, "put", name, tmp_path / "ours.bin")
    assert put == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert len(server.ops("put_block", 201)) == 4
    # The SDK sends files over 1 MiB in blocks, as we do.
    container = sdk(server, key, max_single_put_size=MIB, max_block_size=MIB)
    assert container.download_blob(f"redis/backups/{name}").readall() == data

    written = {"sdk/small & <escaped> ☃.txt": "snow ☃\n".encode(), "sdk/big.bin": os.urandom(5 * MIB + 3),
               "sdk/line\rbreak": b"x", "sdk/control\x01char": b"z"}
    for blob, content in written.items():
        container.upload_blob(f"redis/backups/{blob}", content)
    container.upload_blob("redis/backups-elsewhere/sdk/not-ours", b"y")
    server.page_size = 1
    listed = store_command(path, "list", "sdk/")
    assert len(server.ops("put_block", 201)) == 4 + 6
    assert sorted((o["key"], o["size"]) for o in listed) == sorted((k, len(v)) for k, v in written.items())
    for blob, content in written.items():
        target = tmp_path / "got"
        [got] = store_command(path, "get", blob, target)
        assert target.read_bytes() == content, blob
        assert got == {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def test_store_blocks_share_the_window_and_a_failed_block_alone_is_sent_again(tmp_path, server, key):
    path = store_manifest(tmp_path, server, key, concurrency=3)
    data = os.urandom(10 * MIB)
    (tmp_path / "data.bin").write_bytes(data)
    server.inject("put_block", 503, "ServerBusy")
    _, stderr = three_blocks_at_once(server, store_process(path, "put", "data.bin", tmp_path / "data.bin"), held_after=1)
    assert server.most_active_blocks == 3
    assert len(server.ops("put_block", 503)) == 1 and len(server.ops("put_block", 201)) == 10
    assert "azure retrying after a failure" in stderr and "what=Put Block redis/backups/data.bin" in stderr
    assert sdk(server, key).download_blob("redis/backups/data.bin").readall() == data


def test_store_refused_key_is_unauthorized_and_names_no_secret(tmp_path, server, key):
    wrong = base64.b64encode(os.urandom(64)).decode()
    (tmp_path / "data.bin").write_bytes(b"data")
    result = subprocess.run(store_process(store_manifest(tmp_path, server, wrong), "put", "data.bin", tmp_path / "data.bin"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "AuthenticationFailed" in result.stderr and "storage_access_key" in result.stderr
    assert len(server.ops("create_container", 403)) == 1 and len(server.events) == 1  # not retried
    assert_no_secrets(result.stdout, result.stderr, secrets=[wrong, key])
    assert "SharedKey" not in result.stderr and "MAC signature" not in result.stderr
