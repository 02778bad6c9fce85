"""`check` against real peers: a local folder, moto (S3, signatures checked), the Azure test service (SharedKey
checked by the SDK's code) and a real sshd. Each finding is one line: ok / warn / fail, the destination, what."""
import base64
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

sys.path.insert(0, str(Path(__file__).parent))
from azure_server import BlobServer  # noqa: E402
from conftest import assert_no_secrets, run_cli, write_manifest  # noqa: E402
from moto_fixture import moto_s3  # noqa: E402,F401  (the fixture)
from sshd_fixture import SSHServer, fingerprint  # noqa: E402
from test_azure import ACCOUNT, key, server  # noqa: E402,F401  (the Blob service fixtures)

CANARY = ".service-backup-check-"


def findings(stdout: str) -> list[tuple[str, str, str]]:
    """(level, subject, text) of every line; a line of another form fails the test."""
    out = []
    for line in stdout.splitlines():
        level, _, rest = line.partition(" ")
        subject, _, text = rest.strip().partition(": ")
        assert level in ("ok", "warn", "fail") and subject and text, line
        out.append((level, subject, text))
    return out


def levels_of(stdout: str, subject: str) -> list[str]:
    return [level for level, who, _ in findings(stdout) if who == subject]


@pytest.fixture
def source(tmp_path) -> Path:
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "dump.rdb").write_bytes(b"data")
    return folder


def manifest(tmp_path: Path, source: Path, *entries: dict, schedule: str = "30 2 * * *") -> Path:
    return write_manifest(tmp_path, {"destinations": list(entries), "source_folder": str(source), "cron_schedule": schedule},
                          f"check-{uuid.uuid4().hex[:6]}.yml")


def local(target: Path, name: str = "nfs") -> dict:
    return {"type": "local", "name": name, "config": {"path": str(target)}}


def test_a_sound_local_destination_passes_every_check_and_leaves_no_canary(binary, tmp_path, source):
    target = tmp_path / "target"
    result = run_cli(binary, "check", manifest(tmp_path, source, local(target)))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = findings(result.stdout)
    assert {level for level, _, _ in lines} == {"ok"}
    assert [text for _, who, text in lines if who == "local destination nfs"][1].startswith(f"canary {CANARY}")
    schedule = next(text for _, who, text in lines if who == "schedule")
    assert schedule.startswith("30 2 * * *: next ") and schedule.count("T02:30:00") == 5
    assert ("ok", "source", f"source folder {source} exists and is readable (1 top-level entries)") in lines
    assert target.is_dir() and not [p for p in target.rglob("*") if CANARY in p.name]


def test_a_missing_source_folder_fails_and_exits_1(binary, tmp_path, source):
    missing = tmp_path / "not-there"
    config = write_manifest(tmp_path, {"destinations": [local(tmp_path / "target")], "source_folder": str(missing),
                                       "cron_schedule": "@daily"})
    result = run_cli(binary, "check", config)
    assert result.returncode == 1
    assert ("fail", "source", f"source folder {missing} does not exist") in findings(result.stdout)
    assert levels_of(result.stdout, "local destination nfs") == ["ok", "ok"]


def test_destination_selects_one_and_a_bad_manifest_exits_2(binary, tmp_path, source):
    unwritable = tmp_path / "file-not-folder"
    unwritable.write_text("x")
    config = manifest(tmp_path, source, local(tmp_path / "a", "good"), local(unwritable / "sub", "bad"))
    both = run_cli(binary, "check", config)
    assert both.returncode == 1
    assert levels_of(both.stdout, "local destination good") == ["ok", "ok"]
    assert levels_of(both.stdout, "local destination bad") == ["fail"]
    one = run_cli(binary, "check", config, "--destination", "good")
    assert one.returncode == 0 and "local destination bad" not in one.stdout
    bad = write_manifest(tmp_path, {"destinations": [{"type": "ftp", "config": {}}]}, "bad.yml")
    result = run_cli(binary, "check", bad)
    assert result.returncode == 2 and "Invalid config - Missing values for service_backup" in result.stderr


def test_help_describes_the_checks(binary):
    result = run_cli(binary, "check", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for phrase in ("canary", "clock", "host key", "next 5 fire times", "source folder"):
        assert phrase in text, phrase


# S3 (moto)

def s3(moto, bucket: str, **config) -> dict:
    return {"type": "s3", "name": "moto", "config": {
        "bucket_name": bucket, "bucket_path": "backups", "endpoint_url": moto.endpoint,
        "access_key_id": moto.access_key, "secret_access_key": moto.secret_key, **config}}


def test_s3_creates_the_bucket_writes_and_removes_a_canary(binary, tmp_path, source, moto_s3):
    bucket = "bkt-" + uuid.uuid4().hex[:12]
    result = run_cli(binary, "check", manifest(tmp_path, source, s3(moto_s3, bucket)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert levels_of(result.stdout, "s3 destination moto") == ["ok", "ok", "ok"]
    clock = findings(result.stdout)[0]
    assert clock[2].startswith("clock: this machine is ") and clock[2].endswith("the server's Date")
    assert moto_s3.client().list_objects_v2(Bucket=bucket).get("KeyCount") == 0  # created; the canary is gone
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])


def test_s3_wrong_secret_fails_naming_the_destination_and_no_secret(binary, tmp_path, source, moto_s3):
    wrong = "W" + moto_s3.secret_key[1:] if not moto_s3.secret_key.startswith("W") else "X" + moto_s3.secret_key[1:]
    bucket = "bkt-" + uuid.uuid4().hex[:12]
    result = run_cli(binary, "check", manifest(tmp_path, source, s3(moto_s3, bucket, secret_access_key=wrong)))
    assert result.returncode == 1
    failed = [text for level, who, text in findings(result.stdout) if level == "fail" and who == "s3 destination moto"]
    assert len(failed) == 1 and failed[0].startswith("cannot reach or prepare S3 remote path")
    assert "SignatureDoesNotMatch" in failed[0] or "signature" in failed[0].lower()
    assert_no_secrets(result.stdout, result.stderr, secrets=[wrong, moto_s3.secret_key])


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed (scripts/install-deps.sh)")
@pytest.mark.parametrize("offset,level,exit_code", [("-10m", "warn", 0), ("+1h", "fail", 1)])
def test_s3_clock_skew_against_the_servers_date(binary, tmp_path, source, moto_s3, offset, level, exit_code):
    bucket = "bkt-" + uuid.uuid4().hex[:12]
    config = manifest(tmp_path, source, s3(moto_s3, bucket))
    result = subprocess.run(["faketime", "-f", offset, str(binary), "check", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == exit_code, result.stdout + result.stderr
    first = findings(result.stdout)[0]
    side = "behind" if offset.startswith("-") else "ahead of"
    assert first[:2] == (level, "s3 destination moto") and f" {side} the server's Date" in first[2]
    assert "signed requests are refused beyond 15 minutes" in first[2]
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key])


# Azure (the test Blob service)

def azure(server: BlobServer, key: str) -> dict:
    return {"type": "azure", "name": "blob", "config": {
        "storage_account": ACCOUNT, "storage_access_key": key, "container": "checked", "path": "redis",
        "endpoint": server.url(ACCOUNT)}}


def test_azure_check_passes_and_leaves_an_empty_container(binary, tmp_path, source, server, key):
    result = run_cli(binary, "check", manifest(tmp_path, source, azure(server, key)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert levels_of(result.stdout, "azure destination blob") == ["ok", "ok", "ok"]
    service = BlobServiceClient(server.url(ACCOUNT), credential={"account_name": ACCOUNT, "account_key": key})
    assert service.get_container_client("checked").exists()
    assert list(service.get_container_client("checked").list_blobs()) == []
    assert_no_secrets(result.stdout, result.stderr, secrets=[key])


def test_azure_wrong_key_and_a_skewed_service(binary, tmp_path, source, server, key):
    wrong = base64.b64encode(os.urandom(64)).decode()
    result = run_cli(binary, "check", manifest(tmp_path, source, azure(server, wrong)))
    assert result.returncode == 1
    assert levels_of(result.stdout, "azure destination blob") == ["ok", "fail"]
    assert "AuthenticationFailed" in result.stdout
    assert_no_secrets(result.stdout, result.stderr, secrets=[wrong, key])

    server.clock_offset = 600  # the service ten minutes ahead: still accepted, but worth a warning
    result = run_cli(binary, "check", manifest(tmp_path, source, azure(server, key)))
    assert result.returncode == 0, result.stdout
    assert levels_of(result.stdout, "azure destination blob") == ["warn", "ok", "ok"]
    assert "behind the server's Date" in result.stdout

    server.clock_offset = 3600  # an hour: every signed request is refused, and the clock line says why
    result = run_cli(binary, "check", manifest(tmp_path, source, azure(server, key)))
    assert result.returncode == 1
    lines = [(level, text) for level, who, text in findings(result.stdout) if who == "azure destination blob"]
    assert lines[0][0] == "fail" and "1h 0m behind the server's Date" in lines[0][1]
    assert lines[1][0] == "fail" and lines[1][1].startswith("cannot reach or prepare")


# SCP (a real sshd)

@pytest.fixture
def sshd():
    server = SSHServer()
    yield server
    server.stop()


def scp(sshd: SSHServer, target: Path, key: str = "ed25519", pin: str | None = None) -> dict:
    config = {"server": "127.0.0.1", "port": sshd.port, "user": sshd.user, "destination": str(target),
              "key": sshd.key_text(key)}
    if pin is not None:
        config["fingerprint"] = pin
    return {"type": "scp", "name": "offsite", "config": config}


def test_scp_host_key_pinned_unpinned_and_wrong(binary, tmp_path, source, sshd):
    target = tmp_path / "remote"
    pinned = run_cli(binary, "check", manifest(tmp_path, source, scp(sshd, target, pin=sshd.host_fingerprint())))
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    lines = [(level, text) for level, who, text in findings(pinned.stdout) if who == "scp destination offsite"]
    assert [level for level, _ in lines] == ["ok", "ok", "ok"]
    assert lines[0][1] == f"scp server 127.0.0.1:{sshd.port} host key {sshd.host_fingerprint()} matches its pin"
    assert target.is_dir() and not [p for p in target.rglob("*") if CANARY in p.name]

    unpinned = run_cli(binary, "check", manifest(tmp_path, source, scp(sshd, target)))
    assert unpinned.returncode == 0, unpinned.stdout
    first = findings(unpinned.stdout)[0]
    assert first[0] == "warn" and "is not pinned: set `fingerprint: SHA256:" in first[2]

    stranger = fingerprint(Path(f"{sshd.keys['stranger']}.pub"))
    wrong = run_cli(binary, "check", manifest(tmp_path, source, scp(sshd, target, pin=stranger)))
    assert wrong.returncode == 1
    assert levels_of(wrong.stdout, "scp destination offsite") == ["fail", "fail"]
    assert "does not match the pinned fingerprint" in wrong.stdout


def test_scp_refused_key_fails_without_showing_it(binary, tmp_path, source, sshd):
    config = manifest(tmp_path, source, scp(sshd, tmp_path / "remote", key="stranger", pin=sshd.host_key_line()))
    result = run_cli(binary, "check", config)
    assert result.returncode == 1
    assert levels_of(result.stdout, "scp destination offsite") == ["ok", "fail"]
    assert_no_secrets(result.stdout, result.stderr, secrets=[sshd.key_text("stranger")])
