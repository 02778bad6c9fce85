"""One manifest, one run at a time across processes: `backup` and the daemon share a lock on the manifest."""
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import log_lines, messages, run_cli, write_manifest
from daemon_process import DaemonProcess

REFUSAL = "Backup currently in progress, exiting. Another backup will not be able to start until this is completed."


class SlowSource:
    """A source executable that says it started (a file) and then waits until the test releases it (another file)."""

    def __init__(self, folder: Path):
        self.started = folder / "started"
        self.released = folder / "released"
        self.script = folder / "slow-source.sh"
        self.script.write_text(f"""#!/bin/sh
[ -e '{self.released}' ] && exit 0
touch '{self.started}'
while [ ! -e '{self.released}' ]; do sleep 0.02; done
""")
        self.script.chmod(0o755)

    def await_started(self, process: subprocess.Popen | None = None, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while not self.started.exists():
            assert process is None or process.poll() is None, "the first backup ended before its source executable ran"
            assert time.monotonic() < deadline, "the source executable never started"
            time.sleep(0.01)

    def release(self):
        """Lets a waiting source executable finish; later runs of it finish at once."""
        self.released.touch()


@pytest.fixture
def setup(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump.rdb").write_bytes(b"data")
    slow = SlowSource(tmp_path)
    lock_dir = tmp_path / "locks"
    lock_dir.mkdir()
    env = {"SERVICE_BACKUP_LOCK_DIR": str(lock_dir)}

    def manifest(**extra):
        return write_manifest(tmp_path, {
            "destinations": [{"type": "local", "config": {"path": str(tmp_path / "store")}}],
            "source_folder": str(source), "source_executable": str(slow.script), "cron_schedule": "@every 1s", **extra})
    return slow, manifest, env, lock_dir


def start(binary, *args, env):
    return subprocess.Popen([str(binary), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})


def test_a_second_manual_backup_of_the_same_manifest_is_refused(binary, setup):
    slow, manifest, env, lock_dir = setup
    config = manifest()
    first = start(binary, "backup", config, env=env)
    try:
        slow.await_started(first)
        second = run_cli(binary, "manual-backup", config, env=env)
        assert second.returncode == 2, second.stdout + second.stderr
        refusals = [line for line in log_lines(second.stdout) if line["message"] == f"ServiceBackup.{REFUSAL}"]
        assert refusals and refusals[0]["data"]["error"] == "backup operation rejected"
        assert "ServiceBackup.Perform backup started" not in messages(second.stdout)
        assert [p.name for p in lock_dir.iterdir()] and all(p.name.endswith(".lock") for p in lock_dir.iterdir())
    finally:
        slow.release()
    stdout, stderr = first.communicate(timeout=60)
    assert first.returncode == 0, stdout + stderr
    # The lock went with the process that held it: the next run takes it, and leaves no lock file behind.
    assert run_cli(binary, "backup", config, env=env).returncode == 0
    assert list(lock_dir.iterdir()) == []


def daemon_beside_a_manual_backup(binary, setup, check, **settings):
    """Starts a manual backup, then (once its source executable runs) the daemon on the same manifest;
    `check(daemon, slow)` looks at the daemon; afterwards both end well."""
    slow, manifest, env, _ = setup
    config = manifest(**settings)
    manual = start(binary, "backup", config, env=env)
    daemon = None
    try:
        slow.await_started(manual)
        daemon = DaemonProcess(binary, "daemon", config, env=env)
        check(daemon, slow)
    finally:
        slow.release()
        if daemon:
            assert daemon.terminate() == 0
    manual.communicate(timeout=60)
    assert manual.returncode == 0


def test_the_daemon_refuses_a_tick_while_a_manual_backup_runs_when_exit_if_in_progress(binary, setup):
    def check(daemon, _):
        daemon.wait_for(lambda ms: f"ServiceBackup.{REFUSAL}" in ms, what="the daemon's refusal")
        assert "ServiceBackup.Perform backup started" not in daemon.messages
    daemon_beside_a_manual_backup(binary, setup, check, exit_if_in_progress=True)


def test_the_daemon_waits_for_a_manual_backup_when_not_exit_if_in_progress(binary, setup):
    def check(daemon, slow):
        daemon.wait_for(lambda ms: any(m.endswith("waiting for it to finish") for m in ms), what="the daemon waiting")
        assert "ServiceBackup.Perform backup started" not in daemon.messages
        assert f"ServiceBackup.{REFUSAL}" not in daemon.messages
        slow.release()
        daemon.wait_for(lambda ms: "ServiceBackup.Perform backup completed successfully" in ms, what="the daemon's run")
    daemon_beside_a_manual_backup(binary, setup, check)
