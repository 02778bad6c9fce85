"""The daemon between fires: asleep until the next fire time; none of its threads wakes up periodically (but libdispatch's monitor)."""
import time
from pathlib import Path

from conftest import write_manifest
from daemon_process import DaemonProcess, stop

# A span long enough that a timer of ours firing once a second shows, short enough for CI.
IDLE_SPAN_SECONDS = 4
# libdispatch, under Swift concurrency on Linux, keeps one timer of its own: the worker-pool monitor
# (swift-corelibs-libdispatch src/event/workqueue.c), once a second on its manager thread, for the life of the
# process. That one thread may wake once a second (plus page faults right after the daemon gave memory back);
# every other thread, ours included, must not wake at all (one switch allowed for the sampling's edges).
MONITOR_ALLOWANCE = IDLE_SPAN_SECONDS + 3
OTHER_THREADS_ALLOWANCE = 1


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


def test_an_idle_daemon_has_no_wake_up_until_its_next_fire_time(binary, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump").write_text("x")
    manifest = write_manifest(tmp_path, {
        "destinations": [{"type": "local", "config": {"path": str(tmp_path / "backups")}}],
        "source_folder": str(source), "cron_schedule": "0 0 1 1 *",
    })
    daemon = DaemonProcess(binary, "daemon", manifest)
    try:
        daemon.wait_for_count("Service-backup Started", 1)
        pid = daemon.process.pid
        # Start-up is over when the alarm thread sleeps and every other thread does too.
        await_condition(lambda: any(name == "sb-alarm" and state == "S" for name, state, _ in thread_states(pid).values())
                        and all(state == "S" for _, state, _ in thread_states(pid).values()),
                        "the daemon's threads asleep with the alarm set")
        before = thread_states(pid)
        time.sleep(IDLE_SPAN_SECONDS)   # the span over which nothing may happen: there is no condition to await
        after = thread_states(pid)
        woke = {tid: (name, after[tid][2] - before[tid][2]) for tid, (name, _, _) in after.items() if tid in before}
        busiest = max(woke, key=lambda tid: woke[tid][1])
        others = sum(count for tid, (_, count) in woke.items() if tid != busiest)
        assert woke[busiest][1] <= MONITOR_ALLOWANCE, f"a thread woke up more than once a second while idle: {woke}"
        assert others <= OTHER_THREADS_ALLOWANCE, f"threads woke up while the daemon was idle: {woke}"
        assert not set(after) - set(before), f"threads started while the daemon was idle: {woke}"
        assert daemon.process.poll() is None
    finally:
        assert stop(daemon) == 0
