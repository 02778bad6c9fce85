"""The S3 destination against moto_server with signature checking on: uploads read back byte for byte,
bucket creation, a wrong secret, the deployment name in keys, and no multipart upload left behind when
an upload fails or is stopped midway."""
import os
import signal
import subprocess
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from conftest import assert_no_secrets, log_lines, messages, run_cli, write_manifest
from moto_fixture import moto_s3  # noqa: F401  (the fixture)
from s3_proxies import CuttingProxy, RecordingProxy

PART = 5 << 20


def new_bucket() -> str:
    return "bkt-" + uuid.uuid4().hex[:12]


def dated_prefixes(base: str, deployment: str | None = None) -> list[str]:
    """The run dates its folder with the local clock: accept today or yesterday (a run across midnight)."""
    today = date.today()
    folder = [base] + ([deployment] if deployment else [])
    return ["/".join(folder + [d.strftime("%Y/%m/%d")]) + "/" for d in (today, today - timedelta(days=1))]


def make_tree(root: Path) -> dict[str, bytes]:
    files = {
        "top.txt": b"top level\n",
        "empty.dat": b"",
        "dir one/with spaces/inner file.txt": b"spaces in folder and file names\n",
        "a/b/c/d/deep.bin": os.urandom(1000),
        "multipart.bin": os.urandom(2 * PART + 12345),
        "exactly-one-part.bin": os.urandom(PART),
    }
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def s3_manifest(moto, source: Path, bucket: str, **config) -> dict:
    return {
        "destinations": [{
            "type": "s3", "name": "moto",
            "config": {
                "bucket_name": bucket, "bucket_path": "backups", "endpoint_url": moto.endpoint,
                "access_key_id": moto.access_key, "secret_access_key": moto.secret_key,
                "part_size": "5MiB", **config,
            },
        }],
        "source_folder": str(source),
        "cron_schedule": "@daily",
    }


def objects(client, bucket: str) -> dict[str, int]:
    """The backed-up objects of the bucket by size, run manifests aside."""
    listing = client.list_objects_v2(Bucket=bucket)
    return {item["Key"]: item["Size"] for item in listing.get("Contents", []) if not item["Key"].endswith(".manifest.json")}


def strip_prefix(keys, prefixes: list[str]) -> set[str]:
    out = set()
    for key in keys:
        prefix = next((p for p in prefixes if key.startswith(p)), None)
        assert prefix is not None, f"{key} is not under {prefixes}"
        out.add(key[len(prefix):])
    return out


def test_tree_is_uploaded_byte_identical_into_a_created_bucket(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket()
    assert bucket not in [b["Name"] for b in client.list_buckets()["Buckets"]]
    files = make_tree(tmp_path / "source")
    manifest = write_manifest(tmp_path, s3_manifest(moto_s3, tmp_path / "source", bucket))

    result = run_cli(binary, "backup", manifest)

    assert result.returncode == 0, result.stdout + result.stderr
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])
    stored = objects(client, bucket)
    prefixes = dated_prefixes("backups")
    assert strip_prefix(stored, prefixes) == set(files)
    for key in stored:
        relative = next(key[len(p):] for p in prefixes if key.startswith(p))
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert body == files[relative], f"{relative} differs"
    multipart_key = next(k for k in stored if k.endswith("multipart.bin"))
    assert client.head_object(Bucket=bucket, Key=multipart_key)["ETag"].strip('"').endswith("-3")
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []

    texts = messages(result.stdout)
    about = [m for m in texts if "about to upload" in m]
    assert len(about) == 1
    assert about[0].endswith(f"to S3 remote path {bucket}/{prefixes[0][:-1]}") or \
        about[0].endswith(f"to S3 remote path {bucket}/{prefixes[1][:-1]}")
    assert "ServiceBackup.s3 completed" in texts
    summary = next(line for line in log_lines(result.stdout) if line["message"].endswith("s3 upload summary"))
    assert summary["data"]["files"] == len(files)
    assert summary["data"]["bytes"] == sum(len(d) for d in files.values())
    assert summary["data"]["destination_name"] == "moto"


def test_wrong_secret_fails_with_a_clear_error_and_uploads_nothing(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket)
    make_tree(tmp_path / "source")
    wrong = "W" + moto_s3.secret_key[1:] if not moto_s3.secret_key.startswith("W") else "X" + moto_s3.secret_key[1:]
    manifest_data = s3_manifest(moto_s3, tmp_path / "source", bucket, secret_access_key=wrong)
    manifest = write_manifest(tmp_path, manifest_data)

    result = run_cli(binary, "backup", manifest)

    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in log_lines(result.stdout) if line["message"].endswith("Upload backup completed with error")]
    assert len(errors) == 1
    assert "secret access key is wrong" in errors[0]["data"]["error"]
    assert "s3 completed" not in result.stdout
    assert objects(client, bucket) == {}
    assert_no_secrets(result.stdout, result.stderr, secrets=[wrong, moto_s3.secret_key, moto_s3.access_key])
    assert "Signature=" not in result.stdout + result.stderr


def test_deployment_name_goes_into_the_key(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket()
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump.rdb").write_bytes(b"redis dump")
    data = s3_manifest(moto_s3, source, bucket)
    data.update({"deployment_name": "redis-prod", "add_deployment_name_to_backup_path": True})
    manifest = write_manifest(tmp_path, data)

    result = run_cli(binary, "backup", manifest)

    assert result.returncode == 0, result.stdout + result.stderr
    stored = objects(client, bucket)
    assert len(stored) == 1
    key = next(iter(stored))
    assert any(key == p + "dump.rdb" for p in dated_prefixes("backups", "redis-prod")), key
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"redis dump"


def multipart_behind_proxy(tmp_path, moto_s3, mode: str):
    """A bucket, a three-part file, and a proxy to moto that will `cut` or `hold` the request for part 2."""
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket)
    source = tmp_path / "source"
    source.mkdir()
    (source / "large.bin").write_bytes(os.urandom(3 * PART))
    proxy = CuttingProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]), b"partNumber=2&", mode)
    return client, bucket, source, proxy


def test_failed_multipart_upload_is_aborted(binary, tmp_path, moto_s3):
    client, bucket, source, proxy = multipart_behind_proxy(tmp_path, moto_s3, "cut")
    try:
        data = s3_manifest(moto_s3, source, bucket, endpoint_url=f"http://127.0.0.1:{proxy.port}", concurrency=1)
        result = run_cli(binary, "backup", write_manifest(tmp_path, data))
    finally:
        proxy.close()

    assert proxy.triggered.is_set()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "s3 retrying after a failure" in result.stdout
    assert "Upload backup completed with error" in result.stdout
    assert objects(client, bucket) == {}
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])


def test_stall_timeout_and_retry_attempts_from_the_manifest(binary, tmp_path, moto_s3):
    """A part held silent fails after stall_timeout, is tried retry_attempts times in all, then the upload is aborted."""
    client, bucket, source, proxy = multipart_behind_proxy(tmp_path, moto_s3, "hold")
    try:
        data = s3_manifest(moto_s3, source, bucket, endpoint_url=f"http://127.0.0.1:{proxy.port}", concurrency=1,
                           stall_timeout=1, retry_attempts=2)
        started = time.monotonic()
        result = run_cli(binary, "backup", write_manifest(tmp_path, data))
        elapsed = time.monotonic() - started
    finally:
        proxy.close()

    assert result.returncode == 2, result.stdout + result.stderr
    # The defaults (60 s without a byte, 5 attempts) would take minutes.
    assert elapsed < 30, elapsed
    retried = [m for m in messages(result.stdout) if m.endswith("s3 retrying after a failure")]
    assert len(retried) == 1, result.stdout
    errors = [line for line in log_lines(result.stdout) if line["message"].endswith("Upload backup completed with error")]
    assert errors and "no data moved for 1" in errors[0]["data"]["error"], result.stdout
    assert objects(client, bucket) == {}
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])


def test_sigterm_mid_multipart_aborts_the_upload(binary, tmp_path, moto_s3):
    client, bucket, source, proxy = multipart_behind_proxy(tmp_path, moto_s3, "hold")
    try:
        data = s3_manifest(moto_s3, source, bucket, endpoint_url=f"http://127.0.0.1:{proxy.port}", concurrency=1)
        process = subprocess.Popen([str(binary), "backup", str(write_manifest(tmp_path, data))],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proxy.triggered.wait(60), "the upload never reached part 2"
        assert len(client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 1
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        proxy.close()

    assert process.returncode != 0
    assert objects(client, bucket) == {}
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert_no_secrets(stdout, stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])


def test_region_is_discovered_from_the_bucket(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    source = tmp_path / "source"
    source.mkdir()
    (source / "f").write_bytes(b"x" * 100)

    result = run_cli(binary, "backup", write_manifest(tmp_path, s3_manifest(moto_s3, source, bucket)))

    assert result.returncode == 0, result.stdout + result.stderr
    assert list(objects(client, bucket).values()) == [100]


def test_missing_bucket_is_created_in_the_configured_region(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket()
    source = tmp_path / "source"
    source.mkdir()
    (source / "f").write_bytes(b"y")

    result = run_cli(binary, "backup", write_manifest(tmp_path, s3_manifest(moto_s3, source, bucket, region="eu-central-1")))

    assert result.returncode == 0, result.stdout + result.stderr
    assert client.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-central-1"
    assert list(objects(client, bucket).values()) == [1]


def test_a_backup_reads_nothing_back_when_each_put_answer_proves_the_object(binary, tmp_path, moto_s3):
    """Each PUT carries its bytes' CRC-32C and each multipart completion its parts': a 2xx answer proves the object,
    so the run sends no HEAD after its puts, and every object is still there whole."""
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket)
    files = make_tree(tmp_path / "source")
    proxy = RecordingProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]))
    try:
        config = s3_manifest(moto_s3, tmp_path / "source", bucket)
        config["destinations"][0]["config"]["endpoint_url"] = f"http://127.0.0.1:{proxy.port}"
        result = run_cli(binary, "backup", write_manifest(tmp_path, config))
    finally:
        proxy.close()
    assert result.returncode == 0, result.stdout + result.stderr
    puts = [path for method, path, _, _ in proxy.requests if method == "PUT" and "partNumber=" not in path]
    assert len(puts) >= len(files)
    assert [path for method, path, _, _ in proxy.requests if method == "HEAD" and "/backups/" in path] == []
    stored = objects(client, bucket)
    assert sorted(stored.values()) == sorted(len(data) for data in files.values())
