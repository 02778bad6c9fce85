"""The S3 destination against moto_server with signature checking on: uploads read back byte for byte,
bucket creation, a wrong secret, the deployment name in keys, and no multipart upload left behind when
an upload fails or is stopped midway."""
import base64
import hashlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import assert_no_secrets, conformance_binary, log_lines, messages, run_cli, run_conformance, write_manifest
from moto_fixture import moto_s3  # noqa: F401  (the fixture)

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


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 in front of moto. Connections pass through until a request for a
    marked part goes by; then that connection is cut (mode "cut") or held silent (mode "hold")."""

    def __init__(self, upstream_port: int, marker: bytes, mode: str):
        self.upstream_port = upstream_port
        self.marker = marker
        self.mode = mode
        self.triggered = threading.Event()
        self.release = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self.pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, False), daemon=True).start()

    def pump(self, source: socket.socket, target: socket.socket, watch: bool):
        tail = b""
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if watch and self.marker in tail + data:
                    self.triggered.set()
                    if self.mode == "hold":
                        self.release.wait(120)
                    break
                tail = data[-len(self.marker):]
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.release.set()
        self.listener.close()
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass


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


def conformance_manifest(tmp_path, moto, bucket: str, **config) -> Path:
    data = s3_manifest(moto, tmp_path, bucket, **config)
    data["destinations"][0]["config"]["bucket_path"] = config.get("bucket_path", "backups/with space/naïve")
    return write_manifest(tmp_path, data)


def test_s3_store_conforms_in_a_bucket_it_creates(tmp_path, moto_s3):
    """Region discovered, bucket created, a large file in three 5 MiB parts, keys with spaces and unicode."""
    client = moto_s3.client()
    bucket = new_bucket()

    result = run_conformance(conformance_manifest(tmp_path, moto_s3, bucket), large_size=2 * PART + 12345)

    assert "conformance passed: s3 destination moto" in result.stdout
    assert objects(client, bucket) == {}
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])


def test_s3_store_conforms_with_one_request_at_a_time_at_the_bucket_root(tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    run_conformance(conformance_manifest(tmp_path, moto_s3, bucket, bucket_path="/", region="eu-west-1", concurrency=1),
                    large_size=PART + 1)

    assert objects(client, bucket) == {}


def test_stale_multipart_uploads_under_the_base_path_are_aborted(tmp_path, moto_s3):
    """The conformance suite removes stale uploads: those under bucket_path go, others stay (moto dates every upload 2010)."""
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket)
    stale = client.create_multipart_upload(Bucket=bucket, Key="base/2020/01/01/dump + more.tar")["UploadId"]
    other = client.create_multipart_upload(Bucket=bucket, Key="elsewhere/dump.tar")["UploadId"]

    run_conformance(conformance_manifest(tmp_path, moto_s3, bucket, bucket_path="base"))

    left = {(u["Key"], u["UploadId"]) for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])}
    assert ("base/2020/01/01/dump + more.tar", stale) not in left
    assert left == {("elsewhere/dump.tar", other)}


class RecordingProxy:
    """A TCP proxy on 127.0.0.1 in front of moto that parses each request going by (HTTP/1.1 with a
    Content-Length) and records its method, target, headers and body, then forwards it unchanged."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self.requests_from, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self.answers_from, args=(upstream, client), daemon=True).start()

    def requests_from(self, source: socket.socket, target: socket.socket):
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = source.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
                length = int(headers.get("content-length", "0"))
                while len(buffer) < length:
                    data = source.recv(65536)
                    if not data:
                        return
                    buffer += data
                body, buffer = buffer[:length], buffer[length:]
                self.requests.append((method, path, headers, body))
                target.sendall(head + b"\r\n\r\n" + body)
        except OSError:
            pass
        finally:
            target.close()

    def answers_from(self, source: socket.socket, target: socket.socket):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            target.close()

    def close(self):
        self.listener.close()


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_every_upload_carries_the_sha256_of_its_bytes(tmp_path, moto_s3):
    """moto checks no checksum, so the requests are checked here: each PUT's x-amz-checksum-sha256 is its body's,
    multipart uploads ask for SHA256 and complete with each part's checksum, and nothing is read back with HEAD."""
    bucket = new_bucket()
    proxy = RecordingProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]))
    try:
        run_conformance(conformance_manifest(tmp_path, moto_s3, bucket, endpoint_url=f"http://127.0.0.1:{proxy.port}"),
                        large_size=2 * PART + 12345)
    finally:
        proxy.close()

    puts = [(path, headers, body) for method, path, headers, body in proxy.requests if method == "PUT" and "/conformance-" in path]
    assert len(puts) > 10
    for path, headers, body in puts:
        assert headers.get("x-amz-checksum-sha256") == sha256_b64(body), path
        assert headers.get("x-amz-content-sha256") == hashlib.sha256(body).hexdigest(), path
    parts = {int(re.search(r"partNumber=(\d+)", path).group(1)): headers["x-amz-checksum-sha256"]
             for path, headers, _ in puts if "partNumber=" in path}
    assert sorted(parts) == [1, 2, 3]
    starts = [headers for method, path, headers, _ in proxy.requests if method == "POST" and path.endswith("?uploads=")]
    assert [headers.get("x-amz-checksum-algorithm") for headers in starts] == ["SHA256"]
    completions = [body.decode() for method, path, _, body in proxy.requests if method == "POST" and "uploadId=" in path]
    assert len(completions) == 1
    assert re.findall(r"<ChecksumSHA256>([^<]+)</ChecksumSHA256>", completions[0]) == [parts[1], parts[2], parts[3]]
    # The suite stats fewer objects than it puts: a store that HEADed each object after its put would show more.
    objects_put = len([p for p, _, _ in puts if "partNumber=" not in p]) + len(starts)
    heads = [path for method, path, _, _ in proxy.requests if method == "HEAD" and "/conformance-" in path]
    assert len(heads) < objects_put


def test_s3_store_aborts_a_multipart_upload_whose_part_fails(tmp_path, moto_s3):
    """Part 2 of the suite's large file never gets through: the put fails after its retries and leaves no
    multipart upload behind."""
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket)
    proxy = CuttingProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]), b"partNumber=2&", "cut")
    try:
        manifest = conformance_manifest(tmp_path, moto_s3, bucket, endpoint_url=f"http://127.0.0.1:{proxy.port}",
                                        retry_attempts=2, concurrency=1)
        result = subprocess.run([str(conformance_binary()), str(manifest), "--large-size", str(2 * PART + 1)],
                                capture_output=True, text=True, timeout=120)
    finally:
        proxy.close()

    assert proxy.triggered.is_set()
    assert result.returncode == 1
    assert "conformance failed: s3 store: round trip of names and sizes: " in result.stderr
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])
