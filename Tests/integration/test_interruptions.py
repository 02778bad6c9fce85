"""Runs stopped where it hurts: SIGTERM during the source executable, while CreateMultipartUpload's answer is on
its way, mid-part, mid-commit and at a seeded request; SIGKILL mid-upload followed by a normal run; a source file
grown, shrunk or replaced mid-upload; a server that accepts connections and never answers. The moments are
reached by awaiting the proxy's and the files' state, never by sleeping."""
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import log_lines, record_binary_started, record_output, run_cli, write_manifest  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from moto_fixture import moto_s3  # noqa: E402,F401  (the fixture)

MIB = 1 << 20
GRACE = 10
PART_2 = rb"^PUT [^ ]*partNumber=2&"
# faketime moves the clock only: not the monotonic clock timeouts run on, nor the times files report.
FAKETIME_ENV = {"FAKETIME_DONT_FAKE_MONOTONIC": "1", "NO_FAKE_STAT": "1"}


def s3_config(moto, bucket: str, endpoint: str, **extra) -> dict:
    return {"bucket_name": bucket, "bucket_path": "b", "endpoint_url": endpoint, "region": "us-east-1",
            "access_key_id": moto.access_key, "secret_access_key": moto.secret_key, "part_size": "5MiB",
            "concurrency": 1, "retry_attempts": 3, "stall_timeout": 30, **extra}


def manifest(tmp_path: Path, source: Path, destination: dict, **top) -> Path:
    return write_manifest(tmp_path, {"destinations": [destination], "source_folder": str(source), "cron_schedule": "@daily",
                                     "shutdown_grace_period": GRACE, **top})


def big_source(tmp_path: Path, size: int = 11 * MIB) -> tuple[Path, bytes]:
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    data = os.urandom(size)
    (source / "dump.rdb").write_bytes(data)
    return source, data


def moto_proxy(moto, seed: int, rate: float, **options) -> FaultProxy:
    """The fault proxy in front of moto."""
    return FaultProxy(int(moto.endpoint.rsplit(":", 1)[1]), seed, rate, "s3", **options)


def start_s3_backup(binary: Path, tmp_path: Path, source: Path, moto, bucket: str, endpoint: str, **extra) -> subprocess.Popen:
    """`backup` of `source` to `bucket` through `endpoint` (moto itself, or a proxy in front of it)."""
    return start(binary, "backup", manifest(tmp_path, source, {"type": "s3", "config": s3_config(moto, bucket, endpoint, **extra)}))


def start(binary: Path, *args, env: dict | None = None) -> subprocess.Popen:
    record_binary_started()
    return subprocess.Popen([str(binary), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    record_output(stdout, stderr)
    return stdout, stderr


def terminate(process: subprocess.Popen) -> tuple[float, str, str]:
    """SIGTERM; how long the process took to exit, and what it printed."""
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    stdout, stderr = finish(process, timeout=GRACE + 30)
    return time.monotonic() - sent, stdout, stderr


def assert_nothing_incomplete(client, bucket: str, data: bytes) -> None:
    """Whatever is at a final name is whole; no run manifest; no multipart upload left."""
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        assert not item["Key"].endswith(".manifest.json"), item["Key"]
        assert client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() == data, item["Key"]
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def new_bucket(client) -> str:
    bucket = "int-" + uuid.uuid4().hex[:10]
    client.create_bucket(Bucket=bucket)
    return bucket


def test_sigterm_during_the_source_executable_reaches_it_and_uploads_nothing(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket(client)
    source, _ = big_source(tmp_path)
    marks = tmp_path / "marks"
    marks.mkdir()
    script = tmp_path / "dump.sh"
    script.write_text(f"#!/bin/sh\ntrap 'echo term > {marks}/got-term; exit 143' TERM\n"
                      f"echo started > {marks}/started\nwhile true; do sleep 0.1; done\n")
    script.chmod(0o755)
    process = start(binary, "backup", manifest(tmp_path, source, {"type": "s3", "config": s3_config(
        moto_s3, bucket, moto_s3.endpoint)}, source_executable=str(script)))
    while not (marks / "started").exists():
        assert process.poll() is None, finish(process)
        time.sleep(0.02)
    took, stdout, stderr = terminate(process)
    assert process.returncode != 0, stdout + stderr
    assert took < GRACE, took
    assert (marks / "got-term").read_text().strip() == "term"
    assert_nothing_incomplete(client, bucket, b"")


@pytest.mark.parametrize("point, only", [
    ("create", rb"^POST [^ ]*\?uploads"),   # the answer to CreateMultipartUpload never comes back
    ("part", PART_2),                        # part 2 reached the server, its answer never comes back
    ("commit", rb"^POST [^ ]*\?uploadId="),  # CompleteMultipartUpload done by the server, its answer held
])
def test_sigterm_mid_upload_exits_in_the_grace_period_leaving_nothing_incomplete(binary, tmp_path, moto_s3, point, only):
    client = moto_s3.client()
    bucket = new_bucket(client)
    source, data = big_source(tmp_path)
    with moto_proxy(moto_s3, 1, 1.0, faults=["stall"], only=only) as proxy:
        process = start_s3_backup(binary, tmp_path, source, moto_s3, bucket, proxy.endpoint)
        proxy.wait_for(lambda p: p.faulted >= 1 or process.poll() is not None)
        took, stdout, stderr = terminate(process)
    assert process.returncode != 0, stdout + stderr
    assert took < GRACE, took
    assert_nothing_incomplete(client, bucket, data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigterm_at_a_seeded_request_leaves_nothing_incomplete(binary, tmp_path, moto_s3, seed):
    client = moto_s3.client()
    bucket = new_bucket(client)
    source, data = big_source(tmp_path)
    # The run makes about ten requests: head bucket, stale listing, create, three parts, complete, head, manifest.
    at = random.Random(seed).randint(1, 9)
    with moto_proxy(moto_s3, seed, 0.0) as proxy:
        process = start_s3_backup(binary, tmp_path, source, moto_s3, bucket, proxy.endpoint)
        proxy.wait_for(lambda p: p.received >= at or process.poll() is not None)
        took, stdout, stderr = terminate(process)
    assert took < GRACE, took
    if process.returncode != 0:
        assert_nothing_incomplete(client, bucket, data)
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_sigkill_mid_upload_then_a_normal_run_sweeps_the_killed_runs_upload(binary, tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket(client)
    source, data = big_source(tmp_path)
    with moto_proxy(moto_s3, 1, 1.0, faults=["stall"], only=PART_2) as proxy:
        process = start_s3_backup(binary, tmp_path, source, moto_s3, bucket, proxy.endpoint)
        proxy.wait_for(lambda p: p.faulted >= 1)
        process.kill()
        finish(process)
    assert len(client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 1
    # Two minutes on, the killed run's upload is older than stale_upload_age (60 s).
    result = run_cli("faketime", "-f", "+120s", binary, "backup", manifest(
        tmp_path, source, {"type": "s3", "config": s3_config(moto_s3, bucket, moto_s3.endpoint)}, stale_upload_age=60),
        env=FAKETIME_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    swept = [line for line in log_lines(result.stdout) if line["message"].endswith("removed what interrupted uploads left behind")]
    assert swept and swept[0]["data"]["count"] == 1, result.stdout
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    [key] = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"] if item["Key"].endswith("dump.rdb")]
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == data


def test_sigkill_mid_copy_then_a_later_run_sweeps_the_temporary_file(binary, tmp_path):
    source, data = big_source(tmp_path, 256 * MIB)
    target = tmp_path / "target"
    target.mkdir()
    local = {"type": "local", "config": {"path": str(target)}}
    process = start(binary, "backup", manifest(tmp_path, source, local, stale_upload_age=60))

    def temporaries():
        return [p for p in target.rglob("*") if p.is_file() and p.name != "dump.rdb" and not p.name.endswith(".manifest.json")]
    while not temporaries():
        assert process.poll() is None, "the copy ended before it could be killed"
        time.sleep(0.005)
    process.kill()
    finish(process)
    [temporary] = temporaries()
    # A run now leaves it (it could be another run's file in the making); two minutes on it is stale.
    now = run_cli(binary, "backup", manifest(tmp_path, source, local, stale_upload_age=60))
    assert now.returncode == 0, now.stdout + now.stderr
    assert temporary.exists()
    later = run_cli("faketime", "-f", "+120s", binary, "backup", manifest(tmp_path, source, local, stale_upload_age=60),
                    env=FAKETIME_ENV)
    assert later.returncode == 0, later.stdout + later.stderr
    assert not temporary.exists()
    assert temporaries() == []
    assert [p.read_bytes() == data for p in target.rglob("dump.rdb")] == [True]


def replace_by_rename(path: Path) -> None:
    """Redis's way: a new file written beside, renamed over; same size and modification time as the old one."""
    status = path.stat()
    fresh = path.with_name(".temp-dump.rdb")
    fresh.write_bytes(os.urandom(status.st_size))
    os.utime(fresh, ns=(status.st_atime_ns, status.st_mtime_ns))
    os.rename(fresh, path)


def rewrite_in_place(path: Path) -> None:
    status = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(6 * MIB)
        handle.write(os.urandom(MIB))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


CHANGES = {
    "grows": (lambda path: path.open("ab").write(b"appended"), "it grew from"),
    "shrinks": (lambda path: os.truncate(path, 6 * MIB), "changed while it was being backed up"),
    "is replaced": (replace_by_rename, "it was replaced by another file"),
    "is rewritten": (rewrite_in_place, "it was rewritten"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_source_file_that_changes_mid_upload_fails_the_run_naming_it(binary, tmp_path, moto_s3, change):
    client = moto_s3.client()
    bucket = new_bucket(client)
    source, data = big_source(tmp_path)
    # Part 2 is held (its request never reaches moto) until the file has changed; then its connection is cut and
    # the part sent again.
    with moto_proxy(moto_s3, 1, 1.0, faults=["error"], only=PART_2) as proxy:
        proxy.faults = ("error",)
        held = HeldRequests(proxy)
        process = start_s3_backup(binary, tmp_path, source, moto_s3, bucket, proxy.endpoint, retry_attempts=5)
        held.wait()
        mutate, said = CHANGES[change]
        mutate(source / "dump.rdb")
        held.release()
        stdout, stderr = finish(process)
    assert process.returncode == 2, stdout + stderr
    errors = [line["data"]["error"] for line in log_lines(stdout) if line["message"].endswith("Upload backup completed with error")]
    assert errors and str(source / "dump.rdb") in errors[0] and said in errors[0], stdout
    # Nothing mixed: an object at the final name, if any, is the version the run opened.
    assert_nothing_incomplete(client, bucket, data)


class HeldRequests:
    """Holds the proxy's first matching request before it is answered, until released; later ones pass."""

    def __init__(self, proxy: FaultProxy):
        import threading
        self.proxy = proxy
        self.reached = threading.Event()
        self.gate = threading.Event()
        answer = proxy._error_answer

        def held_answer(fault: str) -> bytes:
            if not self.reached.is_set():
                self.reached.set()
                self.gate.wait(60)
            proxy.rate = 0.0
            return answer(fault)
        proxy._error_answer = held_answer

    def wait(self):
        assert self.reached.wait(60), "the upload never reached part 2"

    def release(self):
        self.gate.set()


def test_a_server_that_never_answers_is_given_up_on_in_time(binary, tmp_path):
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)  # the kernel accepts; nobody answers
    try:
        port = listener.getsockname()[1]
        source, _ = big_source(tmp_path, 1000)
        config = {"bucket_name": "silent", "bucket_path": "b", "endpoint_url": f"http://127.0.0.1:{port}",
                  "region": "us-east-1", "access_key_id": "AKIASILENTSILENT", "secret_access_key": "silent-secret-key",
                  "retry_attempts": 20, "retry_timeout": 4, "stall_timeout": 2}
        started = time.monotonic()
        result = run_cli(binary, "backup", manifest(tmp_path, source, {"type": "s3", "config": config}), timeout=120)
        took = time.monotonic() - started
    finally:
        listener.close()
    assert result.returncode == 2, result.stdout + result.stderr
    # The budget counts from where the first try's stall began: retries start up to retry_timeout (4 s) after the
    # first request began, and the last one stalls too (2 s): within retry_timeout + one stall_timeout (+ 3 s slack).
    print(f"gave up after {took:.1f} s")
    assert took < 4 + 2 + 1.5, took
    assert "no data moved for 2" in result.stdout


@pytest.mark.parametrize("moment", ["create", "part"])
def test_a_sibling_failure_while_an_upload_is_under_way_leaves_no_multipart_upload(binary, tmp_path, moto_s3, moment):
    """The big file's CreateMultipartUpload (or part 2) has reached the server and its answer is on its way when a
    sibling file is refused for good: the run is cancelled, and the upload it may not know the id of is aborted."""
    client = moto_s3.client()
    bucket = new_bucket(client)
    source, data = big_source(tmp_path)
    (source / "a-small.txt").write_bytes(b"small")
    held = rb"^POST [^ ]*\?uploads" if moment == "create" else PART_2
    with moto_proxy(moto_s3, 1, 0.0,
                    rules=[(held, "stall"), (rb"^PUT [^ ]*a-small\.txt", "denied")]) as proxy:
        result = run_cli(binary, "backup", manifest(tmp_path, source, {"type": "s3", "config": s3_config(
            moto_s3, bucket, proxy.endpoint, concurrency=2)}))
        assert proxy.counts.get("denied") == 1 and proxy.faulted >= 1, proxy.counts
    assert result.returncode == 2, result.stdout + result.stderr
    assert "AccessDenied" in result.stdout
    assert_nothing_incomplete(client, bucket, data)
