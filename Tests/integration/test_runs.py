"""The daemon and `backup` with a local destination: the run's steps, its logs, overlap and shutdown."""
import datetime
import os
import signal
import stat
from pathlib import Path

import pytest

from conftest import log_lines, messages, run_cli, write_manifest
from daemon_process import DaemonProcess

EVERY_SECOND = "*/1 * * * * *"


def script(path: Path, body: str) -> str:
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def ready_signal(tmp_path: Path) -> tuple[Path, str]:
    """A FIFO a script writes to once its traps are set, and the line that writes it."""
    fifo = tmp_path / "ready"
    os.mkfifo(fifo)
    return fifo, f"echo ready > {fifo}"


def await_ready(fifo: Path):
    with open(fifo) as ready:  # blocks until the script has written
        assert ready.read().strip() == "ready"


def dated(root: Path) -> Path:
    return root / datetime.date.today().strftime("%Y/%m/%d")


@pytest.fixture
def layout(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "nested").mkdir()
    (source / "nested" / "dump.rdb").write_bytes(os.urandom(100_000))
    (source / "empty").write_bytes(b"")
    return tmp_path, source, tmp_path / "target"


def manifest(tmp_path, source, target, **extra):
    return write_manifest(tmp_path, {
        "destinations": [{"type": "local", "name": "nfs", "config": {"path": str(target)}}],
        "source_folder": str(source),
        "cron_schedule": EVERY_SECOND,
        **extra,
    })


@pytest.fixture
def daemons():
    started = []
    yield started
    for daemon in started:
        daemon.kill()


def test_daemon_runs_on_schedule_and_logs_contract_lines(binary, layout, daemons):
    tmp_path, source, target = layout
    identify = script(tmp_path / "identify", "echo ' redis-instance-1 '")
    config = manifest(tmp_path, source, target, service_identifier_executable=identify,
                      cleanup_executable=script(tmp_path / "cleanup", f"touch {tmp_path}/cleaned"))
    daemon = DaemonProcess(binary, "daemon", config)
    daemons.append(daemon)
    daemon.wait_for_count("Cleanup completed successfully", 2)
    assert daemon.terminate() == 0

    lines = daemon.lines
    assert lines[0]["message"] == "ServiceBackup.Service-backup Started"
    assert lines[-1]["message"] == "ServiceBackup.All backup processes terminated. Exiting"
    runs = {}
    for line in lines:
        guid = line["data"].get("backup_guid")
        if guid:
            runs.setdefault(guid, []).append(line)
    completed = [run for run in runs.values() if run[-1]["message"].endswith("Cleanup completed successfully")]
    assert len(completed) >= 2
    prefix = "ServiceBackup.WithIdentifier."
    for run in completed:
        assert [l["message"] for l in run if "summary" not in l["message"]] == [prefix + m for m in [
            "source_executable not provided, skipping performing of backup",
            "Upload backup started",
            f"about to upload {source} to local path {dated(target)}",
            "local completed",
            "Upload backup completed successfully",
            "Cleanup started",
            "Cleanup completed successfully",
        ]]
        assert all(l["data"]["identifier"] == "redis-instance-1" for l in run)
        assert all(l["level"] == "info" for l in run)  # the daemon writes rfc3339 lines by default
        done = next(l for l in run if l["message"].endswith("Upload backup completed successfully"))
        assert done["data"]["size_in_bytes"] == 100_000
        assert isinstance(done["data"]["duration_in_seconds"], float)
    assert (dated(target) / "nested" / "dump.rdb").read_bytes() == (source / "nested" / "dump.rdb").read_bytes()
    assert (dated(target) / "empty").read_bytes() == b""
    assert not [p for p in dated(target).rglob(".*partial*")]


def test_sigterm_reaches_the_source_executable_and_no_run_starts_after(binary, layout, daemons):
    tmp_path, source, target = layout
    fifo, announce = ready_signal(tmp_path)
    dump = script(tmp_path / "dump", f"""
trap 'touch {tmp_path}/got-term; exit 143' TERM
{announce}
while true; do sleep 0.05; done""")
    daemon = DaemonProcess(binary, "daemon", manifest(tmp_path, source, target, source_executable=dump,
                                                      shutdown_grace_period=20))
    daemons.append(daemon)
    await_ready(fifo)
    assert daemon.terminate() == 0
    assert (tmp_path / "got-term").exists()
    assert daemon.messages.count("ServiceBackup.Perform backup started") == 1
    assert daemon.messages[-1] == "ServiceBackup.All backup processes terminated. Exiting"
    assert not target.exists()


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(binary, layout, daemons):
    tmp_path, source, target = layout
    fifo, announce = ready_signal(tmp_path)
    dump = script(tmp_path / "dump", f"trap '' TERM\n{announce}\nwhile true; do sleep 0.05; done")
    daemon = DaemonProcess(binary, "daemon", manifest(tmp_path, source, target, source_executable=dump,
                                                      shutdown_grace_period=1))
    daemons.append(daemon)
    await_ready(fifo)
    assert daemon.terminate(timeout=20) == 0
    error = next(l for l in daemon.lines if l["message"].endswith("Perform backup completed with error"))
    assert error["data"]["error"] == "signal: killed"


def test_exit_if_in_progress_refuses_an_overlapping_run(binary, layout, daemons):
    tmp_path, source, target = layout
    release = tmp_path / "release"
    dump = script(tmp_path / "dump", f"while [ ! -e {release} ]; do sleep 0.05; done")
    daemon = DaemonProcess(binary, "daemon", manifest(tmp_path, source, target, source_executable=dump,
                                                      exit_if_in_progress=True))
    daemons.append(daemon)
    refused = ("ServiceBackup.Backup currently in progress, exiting. "
               "Another backup will not be able to start until this is completed.")
    daemon.wait_for(lambda ms: refused in ms, what="refusal")
    release.touch()
    daemon.wait_for_count("Upload backup completed successfully", 1)
    assert daemon.terminate() == 0
    line = next(l for l in daemon.lines if l["message"] == refused)
    assert line["level"] == "error" and line["data"]["error"] == "backup operation rejected"
    assert daemon.messages.count("ServiceBackup.Perform backup started") >= 1


def test_without_exit_if_in_progress_runs_never_overlap(binary, layout, daemons):
    tmp_path, source, target = layout
    journal = tmp_path / "journal"
    dump = script(tmp_path / "dump", f"echo start >> {journal}\nsleep 1.5\necho end >> {journal}")
    daemon = DaemonProcess(binary, "daemon", manifest(tmp_path, source, target, source_executable=dump))
    daemons.append(daemon)
    daemon.wait_for_count("Upload backup completed successfully", 3, timeout=60)
    assert daemon.terminate() == 0
    entries = journal.read_text().split()
    # Each run ends before the next starts; a stop may end the last one early.
    assert entries[: len(entries) // 2 * 2] == ["start", "end"] * (len(entries) // 2)
    assert not any("in progress" in m for m in daemon.messages)


def test_failing_source_executable_means_no_upload_and_no_cleanup(binary, layout):
    tmp_path, source, target = layout
    config = manifest(tmp_path, source, target,
                      source_executable=script(tmp_path / "dump", "echo 'cannot dump' >&2; exit 7"),
                      cleanup_executable=script(tmp_path / "cleanup", f"touch {tmp_path}/cleaned"))
    result = run_cli(binary, "backup", config)
    assert result.returncode == 2
    assert messages(result.stdout) == ["ServiceBackup.Perform backup started",
                                       "ServiceBackup.Perform backup completed with error"]
    error = log_lines(result.stdout)[-1]
    assert error["data"]["error"] == "exit status 7" and "cannot dump" in error["data"]["output"]
    assert not target.exists()
    assert not (tmp_path / "cleaned").exists()


def test_backup_and_manual_backup_upload_once(binary, layout, tmp_path_factory):
    tmp_path, source, target = layout
    config = manifest(tmp_path, source, target, deployment_name="redis-prod",
                      add_deployment_name_to_backup_path=True)
    result = run_cli(binary, "backup", config)
    assert result.returncode == 0, result.stdout + result.stderr
    copied = target / "redis-prod" / datetime.date.today().strftime("%Y/%m/%d") / "nested" / "dump.rdb"
    assert copied.read_bytes() == (source / "nested" / "dump.rdb").read_bytes()

    link = tmp_path_factory.mktemp("bin") / "manual-backup"
    link.symlink_to(binary)
    result = run_cli(link, config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ServiceBackup.Upload backup completed successfully" in messages(result.stdout)


def test_backup_exits_2_when_a_destination_fails(binary, layout):
    tmp_path, source, target = layout
    target.write_text("a file where a folder belongs")
    result = run_cli(binary, "backup", manifest(tmp_path, source, target))
    assert result.returncode == 2
    error = log_lines(result.stdout)[-1]
    assert error["message"] == "ServiceBackup.Upload backup completed with error"
    assert error["log_level"] == 2 and "local destination nfs" in error["data"]["error"]


def test_daemon_without_destinations_stays_up(binary, tmp_path, daemons):
    config = write_manifest(tmp_path, {"destinations": []})
    daemon = DaemonProcess(binary, config)
    daemons.append(daemon)
    daemon.wait_for(lambda ms: "ServiceBackup.No destination provided - skipping backup" in ms, what="skip line")
    assert daemon.process.poll() is None
    assert daemon.terminate() == 0
    assert daemon.messages[-1] == "ServiceBackup.All backup processes terminated. Exiting"


def test_a_sigterm_right_after_start_up_stops_the_daemon_gracefully(binary, layout, daemons):
    """The handlers are installed before the daemon's first line: a SIGTERM sent the moment it appears is
    never lost (20 starts; a signal lost in a gap of the start-up would leave a daemon running)."""
    tmp_path, source, target = layout
    config = manifest(tmp_path, source, target, cron_schedule="@yearly")
    for _ in range(20):
        daemon = DaemonProcess(binary, config)
        daemons.append(daemon)
        daemon.wait_for(lambda ms: ms, what="the first line")
        daemon.process.send_signal(signal.SIGTERM)
        assert daemon.wait(10) == 0
        assert daemon.messages[-1] == "ServiceBackup.All backup processes terminated. Exiting"


def test_bad_manifest_exits_2_with_the_error(binary, tmp_path):
    config = write_manifest(tmp_path, {"destinations": [{"type": "local", "config": {"path": "/tmp/x"}}]})
    for command in (["daemon"], ["backup"], []):
        result = run_cli(binary, *command, config)
        assert result.returncode == 2
        assert "Invalid config - Missing values for service_backup: source_folder, cron_schedule." in result.stderr
