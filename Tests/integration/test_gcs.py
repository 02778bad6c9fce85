"""The gcs destination against fake-gcs-server behind a gate of the tests' own that verifies each service
account JWT with the account's public key and lets only valid tokens through (gcs_fixture.py); what arrived
is read back with plain HTTP straight from fake-gcs-server."""
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import assert_no_secrets, log_lines, messages, run_cli, run_conformance, write_manifest  # noqa: E402
from gcs_fixture import GCSServer, ServiceAccount, md5_base64  # noqa: E402

BUCKET = "redis-backups"
KIB = 1 << 10
MIB = 1 << 20


@pytest.fixture
def server(tmp_path):
    with GCSServer(tmp_path / "fake-gcs") as server:
        yield server


def manifest(tmp_path: Path, source: Path, server: GCSServer, **config) -> Path:
    return write_manifest(tmp_path, {
        "destinations": [{"type": "gcs", "name": "google", "config": server.config(BUCKET, **config)}],
        "source_folder": str(source), "cron_schedule": "@daily",
        "deployment_name": "redis-1", "add_deployment_name_to_backup_path": True,
    })


def day() -> str:
    return f"redis-1/{datetime.date.today():%Y/%m/%d}"


def make_tree(source: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    return files


def stored_files(server: GCSServer) -> dict[str, dict]:
    return {name: item for name, item in server.objects(BUCKET).items() if not name.endswith(".manifest.json")}


def errors_of(stdout: str) -> list[dict]:
    return [line for line in log_lines(stdout) if line["message"].endswith("completed with error")]


def test_tree_arrives_byte_identical_at_the_bucket_root(tmp_path, binary, server):
    source = tmp_path / "source"
    files = make_tree(source, {
        "dump.rdb": os.urandom(300_000),
        "nested/deeper/file.bin": os.urandom(1234),
        "with space/ünïcødé ☃ 100%.txt": "snow ☃\n".encode(),
        "empty.bin": b"",
    })
    assert not server.bucket_exists(BUCKET)
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, concurrency=3))
    assert result.returncode == 0, result.stdout + result.stderr
    said = messages(result.stdout)
    assert any(m.endswith(f"about to upload {source} to GCS remote path {BUCKET}/{day()}") for m in said)
    assert any(m.endswith("gcs completed") for m in said)
    assert server.bucket_exists(BUCKET)  # created in the project

    stored = stored_files(server)
    assert set(stored) == {f"{day()}/{name}" for name in files}
    for name, data in files.items():
        assert server.read(BUCKET, f"{day()}/{name}") == data, name
        assert stored[f"{day()}/{name}"]["md5Hash"] == md5_base64(data)
    [run_manifest] = [n for n in server.objects(BUCKET) if n.endswith(".manifest.json")]
    listed = json.loads(server.read(BUCKET, run_manifest))
    assert len(listed["files"]) == len(files)
    # Every storage request carried a token the gate issued after checking the JWT; none was refused.
    assert server.state.tokens_issued == 1 and server.state.unauthorized == 0
    # Each last chunk's answer proved its object (the CRC-32C sent in X-Goog-Hash, and the size): no request
    # afterwards to learn a size.
    assert not [path for method, path in server.state.requests if method == "GET" and f"/b/{BUCKET}/o/" in path]
    assert_no_secrets(result.stdout, result.stderr, secrets=[server.account.private_key_pem])


def test_large_file_goes_up_in_chunks_of_256kib_multiples(tmp_path, binary, server):
    source = tmp_path / "source"
    data = os.urandom(MIB + 12345)
    make_tree(source, {"big.tar": data})
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, chunk_size="256KiB"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.read(BUCKET, f"{day()}/big.tar") == data
    # big.tar in five requests (four of 256 KiB and the rest), then the run manifest in one.
    assert server.state.chunk_sizes[:5] == [256 * KIB] * 4 + [12345]
    assert server.state.chunk_requests == 6 and server.state.status_queries == 0


def test_files_go_up_several_at_a_time_and_no_more(tmp_path, binary, server):
    source = tmp_path / "source"
    files = make_tree(source, {f"part-{n}.bin": os.urandom(300 * KIB) for n in range(6)})
    server.state.gather_chunks = 3
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, chunk_size="256KiB", concurrency=3))
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.state.gathered, "three uploads were never in flight at once"
    assert server.state.most_chunks_in_flight == 3
    for name, data in files.items():
        assert server.read(BUCKET, f"{day()}/{name}") == data


def test_failed_chunk_resumes_from_the_committed_offset(tmp_path, binary, server):
    source = tmp_path / "source"
    data = os.urandom(MIB + 777)
    make_tree(source, {"big.tar": data})
    # The second chunk reaches the server, but the answer the store gets is a 503.
    server.state.fail_chunk = 2
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, chunk_size="256KiB"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.read(BUCKET, f"{day()}/big.tar") == data
    # The store asked what the server held and went on from there: no byte was sent twice, no new session.
    assert server.state.status_queries == 1
    assert server.state.chunk_sizes[:5] == [256 * KIB] * 4 + [777]
    assert server.state.sessions_started == 2  # big.tar and the run manifest
    summary = [line for line in log_lines(result.stdout) if line["message"].endswith("gcs upload summary")]
    assert summary[0]["data"]["retries"] == 1


def test_failed_upload_is_cancelled_on_the_server(tmp_path, binary, server):
    source = tmp_path / "source"
    make_tree(source, {"big.tar": os.urandom(MIB)})
    server.state.fail_chunk = 2
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, chunk_size="256KiB", retry_attempts=1))
    assert result.returncode == 2, result.stdout + result.stderr
    [error] = errors_of(result.stdout)[:1]
    assert "HTTP 503" in error["data"]["error"] and "big.tar" in error["data"]["error"]
    assert server.state.sessions_cancelled == 1
    assert stored_files(server) == {}


def test_revoked_token_is_renewed_and_the_upload_goes_on(tmp_path, binary, server):
    source = tmp_path / "source"
    data = os.urandom(MIB)
    make_tree(source, {"big.tar": data})
    server.state.revoke_after_chunk = 1
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, chunk_size="256KiB"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.state.unauthorized == 1 and server.state.tokens_issued == 2
    assert server.read(BUCKET, f"{day()}/big.tar") == data
    assert server.state.chunk_bytes == MIB + server.state.chunk_sizes[-1]  # big.tar once, then the run manifest


def test_token_is_renewed_before_it_expires(tmp_path, binary, server):
    source = tmp_path / "source"
    data = os.urandom(MIB)
    make_tree(source, {"big.tar": data})
    server.state.token_lifetime = 1
    # The server takes longer over the second chunk than the token lasts.
    server.state.hold_chunk_until_token_expired = 2
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, chunk_size="256KiB"))
    assert result.returncode == 0, result.stdout + result.stderr
    # The next request went with a fresh token, fetched before the old one was refused.
    assert server.state.unauthorized == 0 and server.state.tokens_issued >= 2
    assert server.read(BUCKET, f"{day()}/big.tar") == data


def test_wrong_key_is_refused_with_a_clear_error_and_no_secret(tmp_path, binary, server):
    source = tmp_path / "source"
    make_tree(source, {"dump.rdb": os.urandom(1000)})
    other = ServiceAccount.generate(server.account.token_uri)
    config = server.config(BUCKET)
    config["service_account_json"] = server.account.key_file(private_key_pem=other.private_key_pem)
    path = write_manifest(tmp_path, {"destinations": [{"type": "gcs", "name": "google", "config": config}],
                                     "source_folder": str(source), "cron_schedule": "@daily"})
    result = run_cli(binary, "backup", path)
    assert result.returncode == 2, result.stdout + result.stderr
    [error] = errors_of(result.stdout)[:1]
    text = error["data"]["error"]
    assert text.startswith("gcs destination google: ")
    assert "invalid_grant" in text and "Invalid JWT Signature" in text and "service_account_json" in text
    assert server.account.email in text
    assert server.state.assertions_refused == 1  # not retried
    assert not server.bucket_exists(BUCKET)
    assert_no_secrets(result.stdout, result.stderr, secrets=[other.private_key_pem, server.account.private_key_pem])


def test_a_refused_permission_is_named(tmp_path, binary, server):
    source = tmp_path / "source"
    make_tree(source, {"dump.rdb": os.urandom(1000)})
    server.state.denied[("GET", f"/storage/v1/b/{BUCKET}")] = "storage.buckets.get"
    result = run_cli(binary, "backup", manifest(tmp_path, source, server))
    assert result.returncode == 2, result.stdout + result.stderr
    text = errors_of(result.stdout)[0]["data"]["error"]
    assert "HTTP 403" in text and "needs the storage.buckets.get permission on bucket redis-backups" in text


def test_bad_key_file_is_named_without_its_text(tmp_path, binary, server):
    source = tmp_path / "source"
    make_tree(source, {"dump.rdb": b"x"})
    config = server.config(BUCKET)
    config["service_account_json"] = json.dumps({"type": "service_account", "client_email": "a@b",
                                                 "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
                                                 "token_uri": server.account.token_uri})
    path = write_manifest(tmp_path, {"destinations": [{"type": "gcs", "config": config}],
                                     "source_folder": str(source), "cron_schedule": "@daily"})
    result = run_cli(binary, "backup", path)
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "private_key of service_account_json is not an unencrypted PEM private key" in output
    assert "not a key" not in output


def test_gcs_store_conforms(tmp_path, server):
    path = write_manifest(tmp_path, {"destinations": [{"type": "gcs", "config": server.config(BUCKET, chunk_size="256KiB")}],
                                     "source_folder": str(tmp_path), "cron_schedule": "@daily"})
    run_conformance(path, large_size=MIB + 5)


def test_validate_lists_the_destination(tmp_path, binary, server):
    source = tmp_path / "source"
    source.mkdir()
    result = run_cli(binary, "validate", manifest(tmp_path, source, server))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"gcs \"google\" -> gs://{BUCKET}/ in project backup-project" in result.stdout
    assert_no_secrets(result.stdout, result.stderr, secrets=[server.account.private_key_pem])
