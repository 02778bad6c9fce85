"""`make soak` only (SOAK=1): the daemon at `@every 1s` for SOAK_RUNS runs (1,000) to moto, the Blob service and a
local folder. After each run the daemon's resident memory, open descriptors and threads are sampled; all must stay
flat: the median resident memory of the last fifth of the runs within 1 MiB of that of runs 10 % to 30 % (runs 100 to
300 of 1,000), and no more descriptors late than early (median; the highest within 2, for connections caught
opening or closing)."""
import base64
import os
import statistics
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from azure_server import BlobServer  # noqa: E402
from conftest import write_manifest  # noqa: E402
from daemon_process import DaemonProcess  # noqa: E402
from moto_fixture import moto_s3  # noqa: E402,F401  (the fixture)

pytestmark = pytest.mark.skipif(not os.environ.get("SOAK"), reason="soak runs only under `make soak` (SOAK=1)")

RUNS = int(os.environ.get("SOAK_RUNS", "1000"))
WARM_UP = RUNS // 10
EARLY = RUNS // 5
WINDOW = max(1, RUNS // 10)
SLACK_KIB = 1024
DONE = "Upload backup completed successfully"


def sample(pid: int) -> tuple[int, int, int]:
    """Resident memory in KiB, open descriptors and threads of `pid`."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]), len(os.listdir(f"/proc/{pid}/fd")), int(status["Threads"])


def test_a_thousand_daemon_runs_keep_memory_and_descriptors_flat(binary, tmp_path, moto_s3):
    key = base64.b64encode(os.urandom(64)).decode()
    source = tmp_path / "source"
    (source / "nested").mkdir(parents=True)
    (source / "dump.rdb").write_bytes(os.urandom(200_000))
    (source / "nested" / "aof").write_bytes(os.urandom(3000))
    moto_s3.client().create_bucket(Bucket="soak")
    with BlobServer(tmp_path / "blob-service", {"soakacct": key}) as server:
        manifest = write_manifest(tmp_path, {
            "destinations": [
                {"type": "s3", "config": {"bucket_name": "soak", "bucket_path": "b", "endpoint_url": moto_s3.endpoint,
                                          "region": "us-east-1", "access_key_id": moto_s3.access_key,
                                          "secret_access_key": moto_s3.secret_key}},
                {"type": "azure", "config": {"storage_account": "soakacct", "storage_access_key": key,
                                             "container": "soak", "path": "b", "endpoint": server.url("soakacct")}},
                {"type": "local", "config": {"path": str(tmp_path / "local")}},
            ],
            "source_folder": str(source), "cron_schedule": "@every 1s",
        })
        only = os.environ.get("SOAK_ONLY")  # one destination type, to tell which one a trend comes from
        if only:
            data = yaml.safe_load(manifest.read_text())
            data["destinations"] = [d for d in data["destinations"] if d["type"] == only]
            manifest = write_manifest(tmp_path, data)
        daemon = DaemonProcess(binary, "daemon", manifest)
        samples = []
        try:
            for run in range(1, RUNS + 1):
                daemon.wait_for_count(DONE, run, timeout=60)
                samples.append(sample(daemon.process.pid))
        finally:
            daemon.terminate()
    failed = sum(m.endswith("completed with error") for m in daemon.messages)
    rss = [s[0] for s in samples]
    fds = [s[1] for s in samples]
    threads = [s[2] for s in samples]
    early_rss, late_rss = rss[WARM_UP:WARM_UP + EARLY], rss[-EARLY:]
    early_fds, late_fds = fds[WARM_UP:WARM_UP + EARLY], fds[-EARLY:]
    only_text = f" to {only} only" if only else ""
    line = (f"soak: {RUNS} daemon runs{only_text} at @every 1s ({failed} failed); RSS KiB first/early-median/"
            f"late-median/max {rss[0]}/{statistics.median(early_rss)}/{statistics.median(late_rss)}/{max(rss)}; "
            f"open fds min/max early {min(early_fds)}/{max(early_fds)}, late {min(late_fds)}/{max(late_fds)}; "
            f"threads min/max {min(threads)}/{max(threads)}; "
            f"RSS median per {WINDOW} runs: {[statistics.median(rss[i:i + WINDOW]) for i in range(0, RUNS, WINDOW)]}")
    print(line)
    with open(os.environ.get("FAULT_REPORT", os.devnull), "a") as out:
        out.write(line + "\n")
    assert failed == 0
    assert statistics.median(late_rss) <= statistics.median(early_rss) + SLACK_KIB, line
    # A descriptor sampled while a transfer's connection is being opened or closed may come or go: the typical
    # count must not rise at all, the highest by no more than that.
    assert statistics.median(late_fds) <= statistics.median(early_fds), line
    assert max(late_fds) <= max(early_fds) + 2, line
