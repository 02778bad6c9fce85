"""The daemon between fires: asleep until the next fire time with no wake-up at all. A long wait is slept in a
fresh image of the program (same process), one thread blocked until the fire time or a stop signal."""
import os
import signal
import time
from pathlib import Path

from conftest import write_manifest
from daemon_process import DaemonProcess, stop

# A span long enough that a timer firing once a second shows, short enough for CI.
IDLE_SPAN_SECONDS = 4
# One switch allowed for the sampling's edges.
SWITCHES_ALLOWANCE = 1
# The bound for an idle daemon's resident memory.
IDLE_RSS_LIMIT_KIB = 24 << 10
# Waits of a second or more are slept in a fresh image (the default is 300 s).
FAST_IDLE = {"SERVICE_BACKUP_IDLE_EXEC_SECONDS": "1"}


def thread_states(pid: int) -> dict[str, tuple[str, str, int]]:
    """Each thread's name, state and voluntary + involuntary context switches, by thread id."""
    threads = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = dict(line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line)
        except OSError:   # the thread ended
            continue
        switches = int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
        threads[task.name] = (status["Name"].strip(), status["State"].split()[0].strip(), switches)
    return threads


def await_condition(condition, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def switches(pid: int) -> int:
    return sum(count for _, _, count in thread_states(pid).values())


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def asleep_in_fresh_image(pid: int) -> bool:
    """One thread, blocked: the program's fresh image sleeping before any of its code has run."""
    threads = thread_states(pid)
    return len(threads) == 1 and all(state == "S" for _, state, _ in threads.values())


def open_files(pid: int) -> list[str]:
    """What the process's descriptors point at (their numbers may differ from one image to the next)."""
    return sorted(os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd"))


def local_manifest(tmp_path, schedule: str) -> Path:
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    (source / "dump").write_text("x")
    return write_manifest(tmp_path, {
        "destinations": [{"type": "local", "config": {"path": str(tmp_path / "backups")}}],
        "source_folder": str(source), "cron_schedule": schedule,
    })


def test_an_idle_daemon_has_no_wake_up_until_its_next_fire_time(binary, tmp_path):
    manifest = local_manifest(tmp_path, "0 0 1 1 *")
    daemon = DaemonProcess(binary, "daemon", manifest)
    try:
        daemon.wait_for_count("Service-backup Started", 1)
        pid = daemon.process.pid
        await_condition(lambda: asleep_in_fresh_image(pid), "the daemon asleep in a fresh image")
        before = switches(pid)
        time.sleep(IDLE_SPAN_SECONDS)   # the span over which nothing may happen: there is no condition to await
        woke = switches(pid) - before
        assert woke <= SWITCHES_ALLOWANCE, f"the idle daemon woke up {woke} times in {IDLE_SPAN_SECONDS} s: {thread_states(pid)}"
        assert len(thread_states(pid)) == 1
        assert rss_kib(pid) <= IDLE_RSS_LIMIT_KIB, f"idle RSS {rss_kib(pid)} KiB"
        # Still itself for ps, pgrep and monit: the same name and command line.
        assert Path(f"/proc/{pid}/comm").read_text().strip() == Path(binary).name[:15]
        assert Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1:3] == [b"daemon", str(manifest).encode()]
        assert daemon.process.poll() is None
    finally:
        assert stop(daemon) == 0
    assert daemon.messages.count("ServiceBackup.All backup processes terminated. Exiting") == 1


def asleep_after_runs(binary, manifest: Path, runs: int) -> DaemonProcess:
    """A daemon that sleeps in a fresh image for waits of a second or more, once asleep after `runs` runs."""
    daemon = DaemonProcess(binary, "daemon", manifest, env=FAST_IDLE)
    daemon.wait_for_count("Upload backup completed successfully" if runs else "Service-backup Started", max(1, runs))
    await_condition(lambda: asleep_in_fresh_image(daemon.process.pid), "the daemon asleep in a fresh image")
    return daemon


def test_runs_go_on_across_fresh_images_with_the_manifest_as_it_was_at_start(binary, tmp_path):
    manifest = local_manifest(tmp_path, "@every 2s")
    daemon = asleep_after_runs(binary, manifest, 1)
    try:
        descriptors = open_files(daemon.process.pid)
        # An edit takes effect at a restart only: the next image runs with the manifest it was started with.
        manifest.write_text("destinations: [not: valid")
        daemon.wait_for_count("Upload backup completed successfully", 3)
        await_condition(lambda: asleep_in_fresh_image(daemon.process.pid), "the daemon asleep in a fresh image again")
        # Nothing of one image (connections, files, the handed-over manifest) stays open in the next.
        assert open_files(daemon.process.pid) == descriptors
    finally:
        assert stop(daemon) == 0
    messages = daemon.messages
    assert messages.count("ServiceBackup.Service-backup Started") == 1
    assert messages.count("ServiceBackup.All backup processes terminated. Exiting") == 1
    assert not any(m.startswith("ServiceBackup.Missed") for m in messages), messages
    assert len(list((tmp_path / "backups").rglob("*.manifest.json"))) >= 3, "a run manifest per run"


def test_a_stop_signal_during_the_fresh_image_sleep_stops_the_daemon_as_ever(binary, tmp_path):
    daemon = asleep_after_runs(binary, local_manifest(tmp_path, "@every 1h"), 0)
    daemon.process.send_signal(signal.SIGTERM)
    assert daemon.wait() == 0
    messages = [m for m in daemon.messages if m != "ServiceBackup.Configuration warning"]
    assert messages == ["ServiceBackup.Service-backup Started", "ServiceBackup.All backup processes terminated. Exiting"]


def test_fire_times_slept_through_in_a_fresh_image_are_missed(binary, tmp_path):
    daemon = asleep_after_runs(binary, local_manifest(tmp_path, "@every 2s"), 1)
    try:
        daemon.process.send_signal(signal.SIGSTOP)  # as a suspended VM: the wall clock goes on, the daemon does not
        time.sleep(5)  # the suspension itself: nothing to await
        daemon.process.send_signal(signal.SIGCONT)
        daemon.wait_for_count("Missed scheduled backup", 1)
    finally:
        assert stop(daemon) == 0
    missed = next(line for line in daemon.lines if line.get("message") == "ServiceBackup.Missed scheduled backup")
    assert missed["data"]["missed_count"] >= 1
