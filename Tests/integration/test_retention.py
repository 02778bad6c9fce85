"""Retention with genuinely old runs: each made by the binary itself running under `faketime` at a past date,
then pruned (by `prune` or by the next successful run) and what remains read back independently of the binary:
the local folder with pathlib, the S3 bucket with boto3."""
import json
import os
import shutil
import subprocess
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import assert_no_secrets, log_lines, run_cli, write_manifest
from moto_fixture import moto_s3  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed (scripts/install-deps.sh)")

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def at(days: int, hour: int = 12) -> datetime:
    """`days` before today, at `hour`:00 UTC."""
    return (NOW - timedelta(days=days)).replace(hour=hour, minute=0, second=0)


def backup_at(binary, config: Path, when: datetime) -> subprocess.CompletedProcess:
    """Runs `backup` as if the machine's clock said `when` (UTC, as the day folders are)."""
    result = subprocess.run(
        ["faketime", when.strftime("%Y-%m-%d %H:%M:%S"), str(binary), "backup", str(config)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "TZ": "UTC"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def run_id(result: subprocess.CompletedProcess) -> str:
    summary = next(line for line in log_lines(result.stdout) if line["message"].endswith("upload summary"))
    return summary["data"]["run_id"]


def day(when: datetime) -> str:
    return when.strftime("%Y/%m/%d")


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def local_manifest(tmp_path: Path, source: Path, target: Path, retention: dict | None = None, **extra) -> Path:
    entry = {"type": "local", "name": "nfs", "config": {"path": str(target)}}
    if retention is not None:
        entry["retention"] = retention
    name = f"backup-{uuid.uuid4().hex[:6]}.yml"
    return write_manifest(tmp_path, {"destinations": [entry], "source_folder": str(source), "cron_schedule": "@daily", **extra}, name)


def test_prune_keeps_what_the_rules_say_on_a_local_destination(binary, tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    (source / "a.rdb").write_bytes(os.urandom(1000))
    (source / "b.rdb").write_bytes(os.urandom(2000))
    plain = local_manifest(tmp_path, source, target)
    folders = local_manifest(tmp_path, source, target, run_folders=True)

    r0 = run_id(backup_at(binary, plain, at(10)))              # alone in its day: goes whole
    r1 = run_id(backup_at(binary, plain, at(8, hour=3)))       # shares a.rdb with r2, kept by count
    (source / "b.rdb").unlink()
    r2 = run_id(backup_at(binary, plain, at(8, hour=4)))
    (source / "c.rdb").write_bytes(os.urandom(300))
    r3 = run_id(backup_at(binary, plain, at(2)))                # within keep_days
    # Two runs that never finished: their manifests never written (removed here, as a crash before it would).
    r4 = run_id(backup_at(binary, folders, at(9)))
    r5 = run_id(backup_at(binary, folders, at(3)))
    for run, when in ((r4, at(9)), (r5, at(3))):
        (target / day(when) / f"{run}.manifest.json").unlink()
    before = files_under(target)

    pruning = local_manifest(tmp_path, source, target, retention={"keep_days": 5, "keep_runs": 2})
    dry = run_cli(binary, "prune", pruning, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert files_under(target) == before
    lines = dry.stdout.splitlines()
    assert f"local destination nfs: would delete run {r0} in {day(at(10))} (complete, 2 files and its manifest)" in lines
    assert (f"local destination nfs: would delete run {r1} in {day(at(8))} "
            "(superseded, 1 files and its manifest, keeping 1 files a kept run lists)") in lines
    assert f"local destination nfs: would delete run {r4} in {day(at(9))} (incomplete, 2 files)" in lines
    assert lines[-1] == "local destination nfs: would delete 3 runs in all"

    result = run_cli(binary, "prune", pruning)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "local destination nfs: deleted 3 runs in all"
    deleted = [line for line in log_lines(result.stderr) if line["message"].endswith("local retention deleted run")]
    assert sorted(line["data"]["run_id"] for line in deleted) == sorted([r0, r1, r4])

    assert files_under(target) == {
        f"{day(at(8))}/{r2}.manifest.json", f"{day(at(8))}/a.rdb",
        f"{day(at(2))}/{r3}.manifest.json", f"{day(at(2))}/a.rdb", f"{day(at(2))}/c.rdb",
        f"{day(at(3))}/{r5}/a.rdb", f"{day(at(3))}/{r5}/c.rdb",
    }
    # What stays is whole: the kept run r2 still verifies against its manifest.
    manifest = json.loads((target / day(at(8)) / f"{r2}.manifest.json").read_text())
    assert [f["path"] for f in manifest["files"]] == ["a.rdb"]
    verify = run_cli(binary, "verify", pruning, "--run", r2, "--read-data")
    assert verify.returncode == 0, verify.stdout + verify.stderr

    # A second prune has nothing left to do.
    again = run_cli(binary, "prune", pruning)
    assert again.returncode == 0 and again.stdout.splitlines() == ["local destination nfs: deleted 0 runs in all"]


def test_prune_without_retention_deletes_nothing_and_bad_retention_names_the_key(binary, tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    (source / "a.rdb").write_bytes(b"a")
    plain = local_manifest(tmp_path, source, target)
    backup_at(binary, plain, at(30))
    result = run_cli(binary, "prune", plain)
    assert result.returncode == 0 and result.stdout == "local destination nfs: no retention set, nothing deleted\n"
    assert len(files_under(target)) == 2

    bad = local_manifest(tmp_path, source, target, retention={"keep_incomplete_days": 3})
    result = run_cli(binary, "prune", bad)
    assert result.returncode == 2
    assert "destinations[0].retention must set keep_days or keep_runs" in result.stderr
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def s3_manifest(moto, tmp_path: Path, source: Path, bucket: str, retention: dict) -> Path:
    return write_manifest(tmp_path, {
        "destinations": [{
            "type": "s3", "name": "moto", "retention": retention,
            "config": {"bucket_name": bucket, "bucket_path": "backups", "endpoint_url": moto.endpoint,
                       "access_key_id": moto.access_key, "secret_access_key": moto.secret_key},
        }],
        "source_folder": str(source),
        "cron_schedule": "@daily",
    })


def dump_and_bucket(tmp_path: Path, size: int) -> tuple[Path, str]:
    """A source folder holding dump.rdb of `size` random bytes, and the name of a bucket not made yet."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump.rdb").write_bytes(os.urandom(size))
    return source, "bkt-" + uuid.uuid4().hex[:12]


def test_each_successful_run_prunes_an_s3_destination(binary, tmp_path, moto_s3):
    source, bucket = dump_and_bucket(tmp_path, 5000)
    config = s3_manifest(moto_s3, tmp_path, source, bucket, {"keep_runs": 2})
    ids = [run_id(backup_at(binary, config, at(days))) for days in (12, 10, 8)]
    last = backup_at(binary, config, at(6))
    ids.append(run_id(last))

    keys = {o["Key"] for o in moto_s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert keys == {f"backups/{day(at(d))}/{name}" for d, run in ((8, ids[2]), (6, ids[3]))
                    for name in (f"{run}.manifest.json", "dump.rdb")}
    lines = log_lines(last.stdout)
    deleted = [line for line in lines if line["message"] == "ServiceBackup.s3 retention deleted run"]
    assert [line["data"]["run_id"] for line in deleted] == [ids[1]]
    assert deleted[0]["data"]["destination_name"] == "moto" and deleted[0]["data"]["files_deleted"] == 1
    # Retention comes once the run's own work is done, and says so.
    said = [line["message"] for line in lines]
    assert said.index("ServiceBackup.Cleanup command not provided") < said.index("ServiceBackup.s3 retention deleted run")
    assert lines[-1]["message"] == "ServiceBackup.s3 retention completed" and lines[-1]["data"]["runs_deleted"] == 1
    assert_no_secrets(last.stdout, last.stderr, secrets=[moto_s3.secret_key])


def test_prune_dry_run_on_s3_then_for_real(binary, tmp_path, moto_s3):
    source, bucket = dump_and_bucket(tmp_path, 100)
    keep_all = s3_manifest(moto_s3, tmp_path, source, bucket, {"keep_days": 365})
    ids = [run_id(backup_at(binary, keep_all, at(days))) for days in (40, 20, 3)]
    client = moto_s3.client()
    before = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert len(before) == 6

    prune = s3_manifest(moto_s3, tmp_path, source, bucket, {"keep_days": 30})
    dry = run_cli(binary, "prune", prune, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"s3 destination moto: would delete run {ids[0]} in {day(at(40))} (complete, 1 files and its manifest)",
        "s3 destination moto: would delete 1 runs in all"]
    assert {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]} == before

    result = run_cli(binary, "prune", prune, "--destination", "moto")
    assert result.returncode == 0, result.stderr
    after = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert after == before - {f"backups/{day(at(40))}/{ids[0]}.manifest.json", f"backups/{day(at(40))}/dump.rdb"}
    assert_no_secrets(result.stdout, result.stderr, dry.stdout, dry.stderr, secrets=[moto_s3.secret_key])


def test_the_bosh_job_passes_retention_through_to_the_daemon(binary, tmp_path):
    from test_bosh_job import rendered_config
    entry = {"type": "local", "name": "nfs", "config": {"path": str(tmp_path / "t")},
             "retention": {"keep_days": 14, "keep_runs": 3}}
    config = rendered_config(tmp_path, {"destinations": [entry], "source_folder": str(tmp_path), "cron_schedule": "@daily"},
                             spec={"deployment": "redis"})
    assert config["destinations"][0]["retention"] == {"keep_days": 14, "keep_runs": 3}
    path = write_manifest(tmp_path, config, "rendered.yml")
    result = run_cli(binary, "prune", path, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "local destination nfs: would delete 0 runs in all\n"


def test_retention_on_azure_and_scp_destinations(binary, tmp_path):
    """The same rules on the other stores: an Azure service whose clock is set to each run's past date (its
    SharedKey check refuses a skewed request), and a real sshd (read back from its folder)."""
    import base64
    from azure.storage.blob import BlobServiceClient
    from azure_server import BlobServer
    from sshd_fixture import SSHServer

    source = tmp_path / "source"
    source.mkdir()
    (source / "dump.rdb").write_bytes(os.urandom(3000))
    key = base64.b64encode(os.urandom(64)).decode()
    sshd = SSHServer()
    remote = tmp_path / "remote"
    try:
        with BlobServer(tmp_path / "blob-service", {"acct": key}) as blob:
            retention = {"keep_days": 5, "keep_runs": 1}
            config = write_manifest(tmp_path, {
                "destinations": [
                    {"type": "azure", "name": "blob", "retention": retention, "config": {
                        "storage_account": "acct", "storage_access_key": key, "container": "kept",
                        "path": "redis", "endpoint": blob.url("acct")}},
                    {"type": "scp", "name": "offsite", "retention": retention, "config": {
                        "server": "127.0.0.1", "port": sshd.port, "user": sshd.user, "destination": str(remote),
                        "key": sshd.key_text("ed25519"), "fingerprint": sshd.host_fingerprint()}},
                ],
                "source_folder": str(source), "cron_schedule": "@daily",
            }, "two-stores.yml")
            ids = {}
            for days in (10, 8, 2):
                blob.clock_offset = (at(days) - datetime.now(timezone.utc)).total_seconds()
                result = backup_at(binary, config, at(days))
                ids[days] = run_id(result)
            container = BlobServiceClient(blob.url("acct"), credential={"account_name": "acct", "account_key": key}) \
                .get_container_client("kept")
            blob.clock_offset = 0
            names = {b.name for b in container.list_blobs()}
            assert_no_secrets(result.stdout, result.stderr, secrets=[key, sshd.key_text("ed25519")])
    finally:
        sshd.stop()
    wanted = {f"{day(at(2))}/{ids[2]}.manifest.json", f"{day(at(2))}/dump.rdb"}
    assert names == {f"redis/{name}" for name in wanted}
    assert files_under(remote) == wanted
    deleted = [line for line in log_lines(result.stdout) if line["message"].endswith("retention deleted run")]
    assert sorted((line["data"]["destination_name"], line["data"]["run_id"]) for line in deleted) == sorted(
        (name, ids[d]) for name in ("blob", "offsite") for d in (10, 8))
