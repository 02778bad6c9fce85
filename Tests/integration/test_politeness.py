"""Politeness on a shared VM: bandwidth_limit per destination, nice/ionice of the upload threads, splay_seconds."""
import os
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import pytest

from conftest import log_lines, run_cli, write_manifest
from daemon_process import DaemonProcess, stop
from moto_fixture import moto_s3  # noqa: F401  (the fixture)
from sshd_fixture import SSHServer
from gcs_fixture import GCSServer

MiB = 1 << 20


def summary(stdout: str) -> dict:
    """The data of the run's one per-destination upload summary line."""
    lines = [line["data"] for line in log_lines(stdout) if line["message"].endswith("upload summary")]
    assert len(lines) == 1, stdout
    return lines[0]


def assert_rate_near_limit(stdout: str, limit: int, total: int):
    """The measured rate is at most 5 % over the limit (the correctness bound) and not far below it."""
    data = summary(stdout)
    assert data["bytes"] == total
    rate = data["bytes"] / data["seconds"]
    print(f"measured {rate / MiB:.3f} MiB/s at a limit of {limit / MiB:.3f} MiB/s")
    assert rate <= 1.05 * limit, f"{rate / MiB:.2f} MiB/s over a limit of {limit / MiB:.2f} MiB/s"
    assert rate >= 0.7 * limit, f"{rate / MiB:.2f} MiB/s, far below a limit of {limit / MiB:.2f} MiB/s"


def source_with(tmp_path: Path, sizes: list[int]) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path / "source"
    root.mkdir()
    files = {}
    for index, size in enumerate(sizes):
        files[f"dump-{index}.bin"] = os.urandom(size)
        (root / f"dump-{index}.bin").write_bytes(files[f"dump-{index}.bin"])
    return root, files


def test_bandwidth_limit_holds_over_parallel_s3_parts(binary, tmp_path, moto_s3):
    source, files = source_with(tmp_path, [6 * MiB, 6 * MiB])
    limit = 4 * MiB
    manifest = {
        "destinations": [{"type": "s3", "config": {
            "bucket_name": "paced", "bucket_path": "backups", "endpoint_url": moto_s3.endpoint,
            "access_key_id": moto_s3.access_key, "secret_access_key": moto_s3.secret_key,
            "part_size": "5MiB", "concurrency": 4, "bandwidth_limit": "4MiB"}}],
        "source_folder": str(source), "cron_schedule": "@daily",
    }
    result = run_cli(binary, "backup", write_manifest(tmp_path, manifest))
    assert result.returncode == 0, result.stdout + result.stderr
    assert_rate_near_limit(result.stdout, limit, 12 * MiB)
    client = boto3.client("s3", endpoint_url=moto_s3.endpoint, region_name="us-east-1",
                          aws_access_key_id=moto_s3.access_key, aws_secret_access_key=moto_s3.secret_key)
    stored = {item["Key"].rsplit("/", 1)[-1]: item["Key"]
              for item in client.list_objects_v2(Bucket="paced")["Contents"] if item["Key"].endswith(".bin")}
    for name, data in files.items():
        assert client.get_object(Bucket="paced", Key=stored[name])["Body"].read() == data


def test_bandwidth_limit_holds_over_parallel_gcs_uploads(binary, tmp_path):
    source, files = source_with(tmp_path, [3 * MiB, 3 * MiB])
    limit = 2 * MiB
    with GCSServer(tmp_path / "fake-gcs") as server:
        manifest = {
            "destinations": [{"type": "gcs", "config": server.config(
                "paced", chunk_size="1MiB", concurrency=2, bandwidth_limit="2MiB")}],
            "source_folder": str(source), "cron_schedule": "@daily",
        }
        result = run_cli(binary, "backup", write_manifest(tmp_path, manifest))
        assert result.returncode == 0, result.stdout + result.stderr
        assert_rate_near_limit(result.stdout, limit, 6 * MiB)
        stored = {name.rsplit("/", 1)[-1]: name for name in server.objects("paced") if name.endswith(".bin")}
        for name, data in files.items():
            assert server.read("paced", stored[name]) == data


def test_bandwidth_limit_holds_over_parallel_scp_sessions(binary, tmp_path):
    server = SSHServer()
    try:
        source, files = source_with(tmp_path, [4 * MiB, 4 * MiB])
        target = tmp_path / "target"
        manifest = {
            "destinations": [{"type": "scp", "config": {
                "server": "127.0.0.1", "port": server.port, "user": server.user, "destination": str(target),
                "key": server.key_text("ed25519"), "fingerprint": server.host_fingerprint(),
                "concurrency": 2, "bandwidth_limit": 3 * MiB}}],
            "source_folder": str(source), "cron_schedule": "@daily",
        }
        result = run_cli(binary, "backup", write_manifest(tmp_path, manifest))
        assert result.returncode == 0, result.stdout + result.stderr
        assert_rate_near_limit(result.stdout, 3 * MiB, 8 * MiB)
        stored = {path.name: path.read_bytes() for path in target.rglob("*.bin")}
        assert stored == files
    finally:
        server.stop()


def test_bandwidth_limit_holds_for_a_local_copy(binary, tmp_path):
    source, files = source_with(tmp_path, [6 * MiB])
    manifest = {
        "destinations": [{"type": "local", "config": {"path": str(tmp_path / "target"), "bandwidth_limit": "2MiB"}}],
        "source_folder": str(source), "cron_schedule": "@daily",
    }
    result = run_cli(binary, "backup", write_manifest(tmp_path, manifest))
    assert result.returncode == 0, result.stdout + result.stderr
    assert_rate_near_limit(result.stdout, 2 * MiB, 6 * MiB)


def thread_priorities(pid: int) -> dict[int, int]:
    """The niceness of each thread of the process, from /proc."""
    nice = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        nice[int(task.name)] = int(fields[16])  # field 19 of stat; fields here start at field 3
    return nice


def io_class(tid: int) -> str:
    return subprocess.run(["ionice", "-p", str(tid)], capture_output=True, text=True).stdout.strip()


def test_nice_and_ionice_apply_to_the_upload_threads_only(binary, tmp_path):
    source, _ = source_with(tmp_path, [4 * MiB])
    dump_priority = tmp_path / "dump-priority"
    dump = tmp_path / "dump.sh"
    dump.write_text(f"#!/bin/sh\nawk '{{print $19}}' /proc/self/stat > {dump_priority}\n")
    dump.chmod(0o755)
    manifest = {
        "destinations": [{"type": "local", "config": {"path": str(tmp_path / "target"), "bandwidth_limit": "1MiB"}}],
        "source_folder": str(source), "source_executable": str(dump), "cron_schedule": "@daily",
        "nice": 10, "ionice": "idle",
    }
    run = DaemonProcess(binary, "backup", write_manifest(tmp_path, manifest))
    try:
        # The paced copy takes about four seconds: watch the process's threads meanwhile.
        run.wait_for(lambda ms: any(m.endswith("Upload backup started") for m in ms), what="the upload")
        niced: set[int] = set()
        others: set[int] = set()
        idle = False
        deadline = time.monotonic() + 20
        while run.process.poll() is None and time.monotonic() < deadline and not (niced and others and idle):
            for tid, nice in thread_priorities(run.process.pid).items():
                (niced if nice == 10 else others).add(tid)
                if nice == 10 and shutil.which("ionice") and "idle" in io_class(tid):
                    idle = True
            time.sleep(0.05)
        assert run.wait(60) == 0, "".join(run.raw)
    finally:
        if run.process.poll() is None:
            run.terminate()
    assert niced, "no thread of the run had niceness 10"
    assert others, "every thread was niced: the whole process was, not the upload work"
    if shutil.which("ionice"):
        assert idle, "no niced upload thread had the idle I/O class"
    assert dump_priority.read_text().strip() == "0", "source_executable must keep the daemon's priority"


def expected_splay(key: str, within: float) -> float:
    """FNV-1a 64 of the key, MurmurHash3's finaliser, the top 53 bits as a fraction of the splay."""
    mask = (1 << 64) - 1
    h = 0xCBF29CE484222325
    for byte in key.encode():
        h = ((h ^ byte) * 0x100000001B3) & mask
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & mask
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & mask
    h ^= h >> 33
    return (h >> 11) / (1 << 53) * within


@pytest.mark.parametrize("identifier", ["redis-instance-7", None])
def test_daemon_logs_its_splay(binary, tmp_path, identifier):
    manifest = {
        "destinations": [{"type": "local", "config": {"path": str(tmp_path / "target")}}],
        "source_folder": str(tmp_path), "cron_schedule": "@daily", "splay_seconds": 3600,
    }
    if identifier:
        manifest["service_identifier_executable"] = f"echo {identifier}"
    daemon = DaemonProcess(binary, "daemon", write_manifest(tmp_path, manifest))
    try:
        daemon.wait_for(lambda ms: any("delayed by their splay" in m for m in ms), what="the splay line")
    finally:
        assert stop(daemon) == 0
    line = next(line for line in daemon.lines if "delayed by their splay" in line["message"])
    key = identifier or os.uname().nodename
    assert line["data"]["splay_from"] == ("identifier" if identifier else "hostname")
    assert float(line["data"]["splay_seconds"]) == pytest.approx(expected_splay(key, 3600), abs=1e-6)
    assert float(line["data"]["splay_seconds_max"]) == 3600


def test_validate_shows_the_politeness_settings(binary, tmp_path):
    manifest = {
        "destinations": [{"type": "local", "config": {"path": str(tmp_path)}},
                         {"type": "local", "config": {"path": str(tmp_path), "bandwidth_limit": "50MiB"}}],
        "source_folder": str(tmp_path), "cron_schedule": "@daily",
        "nice": 19, "ionice": "best-effort:7", "splay_seconds": 600,
    }
    result = run_cli(binary, "validate", write_manifest(tmp_path, manifest))
    assert result.returncode == 0, result.stderr
    assert "destination 2: uploads at most 50MiB/s (52428800 bytes/s)" in result.stdout.splitlines()
    assert "destination 1: uploads" not in result.stdout
    assert "upload work: nice 19, ionice best-effort:7" in result.stdout.splitlines()
    assert "splay: each scheduled run waits a fixed delay under 600 s" in result.stdout
    plain = run_cli(binary, "validate", write_manifest(tmp_path, {
        "destinations": manifest["destinations"][:1], "source_folder": str(tmp_path), "cron_schedule": "@daily"}))
    assert "uploads at most" not in plain.stdout and "upload work" not in plain.stdout and "splay" not in plain.stdout
