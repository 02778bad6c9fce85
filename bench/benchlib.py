"""The bench's settings and measuring: data files, the sink and WAN proxy processes, running a client under
/usr/bin/time, running a case's clients in alternating order (see run.py)."""
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "integration"))

MIB = 1 << 20
FULL = os.environ.get("BENCH_SCALE", "full") != "small"
BIG_MIB = int(os.environ.get("BENCH_BIG_MIB", 1024 if FULL else 64))
HUGE_MIB = int(os.environ.get("BENCH_HUGE_MIB", 4096 if FULL else 256))
MANY = 5000 if FULL else 500
SCP_FILES, SCP_MIB = 8, (1024 if FULL else 64)
IDLE_SECONDS = 60 if FULL else 10
REPS = int(os.environ.get("BENCH_REPS", "3"))
WAN_DELAY_MS, WAN_RATE_MIB, WAN_BUFFER_KIB = 10, 50, 1024   # 10 ms each way: 20 ms of round trip
ACCOUNT, KEY = "benchacct", base64.b64encode(b"bench-key-" * 6).decode()
AZURE_VERSION = "2021-12-02"

SDK_UPLOAD = """
import sys
from azure.storage.blob import BlobClient
url, key, path, blob = sys.argv[1:5]
client = BlobClient(url, container_name="bench", blob_name=blob, credential={"account_name": "benchacct", "account_key": key})
with open(path, "rb") as data:
    client.upload_blob(data, overwrite=True)
"""

# STORAGE_EMULATOR_HOST (in the environment) points the client at the sink, with anonymous credentials and no
# project. Its defaults apply: a file over 8 MiB goes as one resumable upload (POST …?uploadType=resumable, then
# PUTs of 100 MiB chunks, each read into memory whole), the last carrying the CRC32C the client computed as it
# read (checksum="auto": google-crc32c's C extension) in X-Goog-Hash, which it checks against the object's
# crc32c in the answer; the default retry and 60 s timeout. Meanwhile its bucket metadata cache (for its tracing
# attributes) gets the bucket in the background, on a connection of its own.
GCS_UPLOAD = """
import sys
from google.cloud import storage
path, name = sys.argv[1:3]
storage.Client().bucket("bench").blob(name).upload_from_filename(path)
"""


def log(text: str) -> None:
    print(text, flush=True)


# ---- data ------------------------------------------------------------------------------------------------

def pattern_file(path: Path, mib: int, seed: int) -> None:
    """`mib` MiB repeating one pseudo-random 1 MiB block: the sink serves such a file back from its first MiB."""
    block = (seed.to_bytes(8, "little") + os.urandom(MIB))[:MIB]
    with open(path, "wb") as out:
        for _ in range(mib):
            out.write(block)


def small_files(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for index in range(count):
        (folder / f"f{index:05d}.bin").write_bytes(os.urandom(16 << 10))


# ---- measuring -------------------------------------------------------------------------------------------

def proc_cpu(pid: int, children: bool = False) -> float:
    """utime+stime (and the reaped children's, if asked) of `pid`, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def run_client(argv: list[str], env: dict | None = None, cwd: str | None = None) -> dict:
    """Runs argv under /usr/bin/time: a small process forks the client, so its peak RSS is the client's own (a
    child forked from this Python would start its high-water mark at the runner's RSS, kept across exec)."""
    with tempfile.NamedTemporaryFile("r", prefix="bench-time-") as report:
        started = time.monotonic()
        process = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", report.name, *argv], env=env, cwd=cwd,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.monotonic() - started
        if process.returncode != 0:
            raise RuntimeError(f"{argv[0]} exited {process.returncode}: {process.stderr.decode(errors='replace')[-2000:]}")
        rss, user, system = report.read().split()[-3:]
    return {"seconds": seconds, "rss_kib": int(rss), "cpu": float(user) + float(system)}


class Sink:
    """bench/sink.c on a free port."""

    def __init__(self, build: Path):
        self.process = subprocess.Popen([str(build / "sink")], stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls = 0

    def call(self, method: str, path: str, headers: dict | None = None, body: bytes = b"") -> str:
        self.calls += 1   # each on a connection of its own
        request = urllib.request.Request(self.url + path, method=method, headers=headers or {}, data=body if method in ("PUT", "POST") else None)
        with urllib.request.urlopen(request) as answer:
            return answer.read().decode()

    def stats(self) -> dict:
        return {k: int(v) for k, v in (line.split() for line in self.call("GET", "/__sink/stats").splitlines())}

    def connections(self) -> int:
        """Connections clients opened: the sink's count less the bench's own calls, this one included."""
        count = self.stats()["connections"]
        return count - self.calls

    def received(self) -> int:
        return self.stats()["bytes"]

    def reset(self) -> None:
        """Forgets every object (the small-file cases would otherwise keep gigabytes), then makes the buckets and container."""
        self.call("POST", "/__sink/reset")
        self.call("PUT", "/bench")
        self.call("PUT", f"/{ACCOUNT}/bench?restype=container", {"x-ms-version": AZURE_VERSION})
        self.call("POST", "/storage/v1/b?project=bench", {"Content-Type": "application/json"}, b'{"name": "bench"}')

    def gcs_objects(self) -> dict[str, dict]:
        """The GCS bucket's objects by name (their resources, as the sink lists them)."""
        found, token = {}, ""
        while True:
            page = json.loads(self.call("GET", "/storage/v1/b/bench/o" + (f"?pageToken={urllib.parse.quote(token)}" if token else "")))
            found.update({item["name"]: item for item in page.get("items", [])})
            token = page.get("nextPageToken")
            if not token:
                return found

    def cpu(self) -> float:
        return proc_cpu(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


class WanProxy:
    """bench/wanproxy.c in front of `port`."""

    def __init__(self, build: Path, port: int, work: Path):
        self.count_file = work / "wan-connections"
        self.process = subprocess.Popen(
            [str(build / "wanproxy"), str(port), str(WAN_DELAY_MS), str(WAN_RATE_MIB), str(WAN_BUFFER_KIB), str(self.count_file)],
            stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def connections(self) -> int:
        return int(self.count_file.read_text()) if self.count_file.exists() else 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


class Client:
    """One client of a case: `command(rep)` gives argv (and env); `ours` marks our binary."""

    def __init__(self, name: str, command, ours: bool = False, after=None):
        self.name, self.command, self.ours, self.after = name, command, ours, after


def run_case(case_id: str, title: str, mib: float, clients: list[Client], server_cpu, connections, before=None,
             received=None) -> list[dict]:
    """Runs every client REPS times, alternating the order, and returns one row per client. With `received` (the
    sink's body-byte count), a client that did not send the case's bytes fails the bench."""
    log(f"== {title}")
    samples: dict[str, list[dict]] = {c.name: [] for c in clients}
    for rep in range(REPS):
        order = clients if rep % 2 == 0 else list(reversed(clients))
        for client in order:
            if before:
                before()
            os.sync()   # the previous run's writes are not flushed during this one
            argv, env = client.command(rep)
            cpu0, conn0, bytes0 = server_cpu(), connections(), received() if received else 0
            sample = run_client(argv, env)
            sample["server_cpu"] = server_cpu() - cpu0
            sample["connections"] = connections() - conn0
            if received and received() - bytes0 < mib * MIB:
                raise RuntimeError(f"{client.name} sent {received() - bytes0} bytes, less than the case's {mib} MiB")
            samples[client.name].append(sample)
            if client.after:
                client.after(rep)
            log(f"   {client.name:28s} rep {rep + 1}: {sample['seconds']:7.2f} s  {mib / sample['seconds']:8.1f} MiB/s  "
                f"RSS {sample['rss_kib'] / 1024:6.1f} MiB  CPU {sample['cpu']:6.2f} s  server {sample['server_cpu']:5.2f} s  conns {sample['connections']}")
    rows = []
    ours = next((c.name for c in clients if c.ours), None)
    ours_median = statistics.median(s["seconds"] for s in samples[ours]) if ours else None
    for client in clients:
        runs = samples[client.name]
        times = [s["seconds"] for s in runs]
        median = statistics.median(times)
        rows.append({
            "case": case_id, "title": title, "client": client.name, "ours": client.ours, "mib": mib,
            "median_s": median, "min_s": min(times), "max_s": max(times), "times": times,
            "mib_s": mib / median if mib else None,
            "ratio": (median / ours_median) if ours_median and not client.ours else None,
            "rss_mib": max(s["rss_kib"] for s in runs) / 1024,
            "cpu_s": statistics.median(s["cpu"] for s in runs),
            "server_cpu_s": statistics.median(s["server_cpu"] for s in runs),
            "connections": statistics.median(s["connections"] for s in runs),
        })
    return rows
