"""A running `service-backup` process whose JSON log lines the test can await."""
import json
import os
import signal
import subprocess
import threading
from pathlib import Path

from secret_scan import record_binary_started, record_output


class DaemonProcess:
    def __init__(self, binary: Path, *args: str, env: dict | None = None):
        record_binary_started()
        self.process = subprocess.Popen(
            [str(binary), *map(str, args)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **env} if env else None,
        )
        self.lines: list[dict] = []
        self.raw: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.process.stdout:
            with self.changed:
                self.raw.append(raw)
                try:
                    self.lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    self.lines.append({"message": "<not json>", "raw": raw})
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    @property
    def messages(self) -> list[str]:
        with self.changed:
            return [line.get("message", "") for line in self.lines]

    def wait_for(self, predicate, timeout: float = 30, what: str = "condition"):
        """Waits until predicate(messages) is true; fails with the log so far when it does not come."""
        with self.changed:
            ok = self.changed.wait_for(
                lambda: predicate([line.get("message", "") for line in self.lines]) or self.process.poll() is not None,
                timeout=timeout,
            )
            if ok and predicate([line.get("message", "") for line in self.lines]):
                return
        raise AssertionError(f"timed out waiting for {what}; log so far:\n{''.join(self.raw)}")

    def wait_for_count(self, message_suffix: str, count: int, timeout: float = 30):
        self.wait_for(lambda ms: sum(m.endswith(message_suffix) for m in ms) >= count, timeout,
                      f"{count} x {message_suffix!r}")

    def terminate(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        record_output("".join(self.raw), self.process.stderr.read() if self.process.stderr else "", source="daemon output")
        return code

    @property
    def stderr(self) -> str:
        return self.process.stderr.read() if self.process.poll() is not None else ""

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def stop(daemon: DaemonProcess) -> int:
    """One SIGTERM, and the daemon's exit code: the handlers are in place before the daemon logs a line."""
    daemon.process.send_signal(signal.SIGTERM)
    return daemon.wait(10)
