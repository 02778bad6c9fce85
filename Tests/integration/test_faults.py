"""Backups through a seeded fault-injecting proxy (fault_proxy.py) in front of moto and the Blob service:
20 % of requests answered 500 / 503 SlowDown / ServerBusy, reset mid-body, stalled past the stall timeout or
cut off (inside the header block too). Every backup that reports success must read back byte-identical
straight from the server; none may leave an incomplete multipart upload, uncommitted blocks or a partial blob.

FAULT_RUNS sets how many backups per store (10 in CI, 50 under `make soak`); FAULT_SEED the first seed."""
import base64
import os
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

sys.path.insert(0, str(Path(__file__).parent))
from azure_server import BlobServer  # noqa: E402
from conftest import log_lines, register_secret, run_cli, write_manifest  # noqa: E402
from fault_proxy import FAULTS, FaultProxy  # noqa: E402
from moto_fixture import moto_s3  # noqa: E402,F401  (the fixture)

RUNS = int(os.environ.get("FAULT_RUNS", "10"))
SEED = int(os.environ.get("FAULT_SEED", "2026"))
RATE = 0.2
MIB = 1 << 20


def source_tree(root: Path, big: int) -> dict[str, bytes]:
    files = {"dump.rdb": os.urandom(big), "small/appendonly.aof": os.urandom(3000), "empty": b""}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def day_folders(base: str) -> list[str]:
    today = date.today()
    return [f"{base}/{d:%Y/%m/%d}/" for d in (today, today - timedelta(days=1))]


def failure(stdout: str) -> str:
    errors = [line["data"].get("error", "") for line in log_lines(stdout) if line["message"].endswith("completed with error")]
    return errors[0] if errors else stdout[-500:]


def report(name: str, succeeded: int, proxy: FaultProxy, failures: list[str]) -> None:
    line = f"{name} through faults: {succeeded} of {RUNS} backups succeeded; requests {proxy.counts}"
    line += "".join(f"\n  failed: {text}" for text in failures)
    print(line)
    with open(os.environ.get("FAULT_REPORT", os.devnull), "a") as out:
        out.write(line + "\n")


def test_s3_backups_through_faults_are_whole_or_absent(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = "faults-" + uuid.uuid4().hex[:10]
    client.create_bucket(Bucket=bucket)
    succeeded = 0
    failures = []
    with FaultProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]), SEED, RATE, "s3") as proxy:
        for run in range(RUNS):
            source = tmp_path / f"source{run}"
            files = source_tree(source, 11 * MIB)  # three parts of 5 MiB
            config = {
                "bucket_name": bucket, "bucket_path": f"run{run}", "endpoint_url": proxy.endpoint, "region": "us-east-1",
                "access_key_id": moto_s3.access_key, "secret_access_key": moto_s3.secret_key,
                "part_size": "5MiB", "concurrency": 3, "retry_attempts": 8, "stall_timeout": 1,
            }
            manifest = write_manifest(tmp_path, {
                "destinations": [{"type": "s3", "config": config}], "source_folder": str(source), "cron_schedule": "@daily",
            }, name=f"run{run}.yml")
            result = run_cli(binary, "backup", manifest, timeout=300)
            stored = {item["Key"]: item["Size"]
                      for item in client.list_objects_v2(Bucket=bucket, Prefix=f"run{run}/").get("Contents", [])}
            for key in stored:
                if key.endswith(".manifest.json"):
                    continue
                relative = next(key[len(p):] for p in day_folders(f"run{run}") if key.startswith(p))
                # Whatever is at a final name is whole, success or not.
                assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == files[relative], key
            if result.returncode == 0:
                succeeded += 1
                assert len([k for k in stored if not k.endswith(".manifest.json")]) == len(files), result.stdout
                assert any(k.endswith(".manifest.json") for k in stored), result.stdout
            else:
                failures.append(failure(result.stdout))
                assert not any(k.endswith(".manifest.json") for k in stored), result.stdout
        report("s3", succeeded, proxy, failures)
        faulted = {fault: proxy.counts[fault] for fault in FAULTS}
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert all(faulted.values()), faulted
    assert succeeded > 0


ACCOUNT = "faultacct"
CONTAINER = "backups"


def test_azure_backups_through_faults_are_whole_or_absent(binary, tmp_path):
    key = base64.b64encode(os.urandom(64)).decode()
    register_secret(key)
    succeeded = 0
    failures = []
    with BlobServer(tmp_path / "blob-service", {ACCOUNT: key}) as server, \
            FaultProxy(server.port, SEED, RATE, "azure") as proxy:
        container = BlobServiceClient(server.url(ACCOUNT), credential={"account_name": ACCOUNT, "account_key": key}) \
            .get_container_client(CONTAINER)
        for run in range(RUNS):
            source = tmp_path / f"source{run}"
            files = source_tree(source, 4 * MIB + 12345)  # five blocks of 1 MiB
            config = {
                "storage_account": ACCOUNT, "storage_access_key": key, "container": CONTAINER, "path": f"run{run}",
                "endpoint": f"{proxy.endpoint}/{ACCOUNT}", "block_size": "1MiB", "concurrency": 3,
                "retry_attempts": 8, "stall_timeout": 1,
            }
            manifest = write_manifest(tmp_path, {
                "destinations": [{"type": "azure", "config": config}], "source_folder": str(source),
                "cron_schedule": "@daily",
            }, name=f"run{run}.yml")
            result = run_cli(binary, "backup", manifest, timeout=300)
            stored = {blob.name: blob.size for blob in container.list_blobs(name_starts_with=f"run{run}/")}
            for name in stored:
                if name.endswith(".manifest.json"):
                    continue
                relative = next(name[len(p):] for p in day_folders(f"run{run}") if name.startswith(p))
                assert container.download_blob(name).readall() == files[relative], name
            if result.returncode == 0:
                succeeded += 1
                assert len([n for n in stored if not n.endswith(".manifest.json")]) == len(files), result.stdout
                assert any(n.endswith(".manifest.json") for n in stored), result.stdout
                # A committed blob discards its uncommitted blocks; none may be left for a successful run's blobs.
                assert all(server.uncommitted(ACCOUNT, CONTAINER, name) == 0 for name in stored)
            else:
                failures.append(failure(result.stdout))
                assert not any(n.endswith(".manifest.json") for n in stored), result.stdout
        report("azure", succeeded, proxy, failures)
        faulted = {fault: proxy.counts[fault] for fault in FAULTS}
    assert all(faulted.values()), faulted
    assert succeeded > 0


@pytest.mark.parametrize("fault", ["reset", "stall", "truncate"])
def test_lost_answers_to_every_request_leave_no_multipart_upload(binary, tmp_path, moto_s3, fault):
    """Every request's answer is lost once in a while, CreateMultipartUpload's included (half the requests):
    a retried create must not leave the upload the first attempt made."""
    client = moto_s3.client()
    bucket = "lost-" + uuid.uuid4().hex[:10]
    client.create_bucket(Bucket=bucket)
    source = tmp_path / "source"
    files = source_tree(source, 11 * MIB)
    with FaultProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]), SEED, 0.5, "s3", faults=[fault]) as proxy:
        config = {
            "bucket_name": bucket, "bucket_path": "b", "endpoint_url": proxy.endpoint, "region": "us-east-1",
            "access_key_id": moto_s3.access_key, "secret_access_key": moto_s3.secret_key,
            "part_size": "5MiB", "concurrency": 2, "retry_attempts": 12, "stall_timeout": 1,
        }
        manifest = write_manifest(tmp_path, {
            "destinations": [{"type": "s3", "config": config}], "source_folder": str(source), "cron_schedule": "@daily",
        })
        result = run_cli(binary, "backup", manifest, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "retrying after a failure" in result.stdout
    big = next(item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"] if item["Key"].endswith("dump.rdb"))
    assert client.get_object(Bucket=bucket, Key=big)["Body"].read() == files["dump.rdb"]
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
