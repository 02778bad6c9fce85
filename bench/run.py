#!/usr/bin/env python3
"""The side-by-side benchmark (`make bench`; not a test). Each case runs our release binary and its peers
against the same local server with the same data, in alternating order, BENCH_REPS times (3), and reports
each client's median time, spread, peak RSS, CPU (user+sys, from the kernel's rusage of the child), the
server's CPU over the run and the connections the client opened. Writes bench/RESULTS.md, bench/results.json
and bench/results.png.

    bench/run.py BINARY BUILD_DIR       (scripts/bench.sh builds the sink, the proxy and the venv, then calls this)

Environment: BENCH_SCALE=small (64 MiB files, 500 small files, 10 s idle) or full (the default: 1 GiB,
5,000 files, 4 GiB, 60 s idle); BENCH_REPS (3); BENCH_CASES, a comma-separated subset of the case ids
(s3-1g, s3-many, s3-4g, azure-1g, scp, restore, idle, wan-s3, wan-azure); BENCH_OUT (bench/) for the results;
BENCH_BIG_MIB and BENCH_HUGE_MIB override the sizes of the "1 GiB" and "4 GiB" files.
"""
import base64
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

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

    def call(self, method: str, path: str, headers: dict | None = None) -> str:
        self.calls += 1   # each on a connection of its own
        request = urllib.request.Request(self.url + path, method=method, headers=headers or {}, data=b"" if method in ("PUT", "POST") else None)
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
        """Forgets every object (the small-file cases would otherwise keep gigabytes), then makes the bucket and container."""
        self.call("POST", "/__sink/reset")
        self.call("PUT", "/bench")
        self.call("PUT", f"/{ACCOUNT}/bench?restype=container", {"x-ms-version": AZURE_VERSION})

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


# ---- clients ---------------------------------------------------------------------------------------------

class Tools:
    def __init__(self, binary: Path, build: Path, work: Path):
        self.binary, self.build, self.work = binary, build, work
        venv = build / "venv" / "bin"
        self.python = str(venv / "python")
        self.aws = str(venv / "aws")
        home = work / "home"
        home.mkdir(exist_ok=True)
        (home / "aws-config").write_text("[default]\nregion = us-east-1\n")
        self.env = {
            "PATH": f"{venv}:{os.environ['PATH']}", "HOME": str(home), "LANG": "C.UTF-8",
            "AWS_ACCESS_KEY_ID": "BENCHKEY", "AWS_SECRET_ACCESS_KEY": "benchsecret", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(home / "aws-config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
            "RCLONE_CONFIG": str(work / "rclone.conf"),
        }

    def rclone_config(self, sections: dict[str, dict]) -> None:
        text = ""
        for name, options in sections.items():
            text += f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in options.items()) + "\n"
        (self.work / "rclone.conf").write_text(text)

    def rclone_azure(self, url: str) -> None:
        """Debian's rclone (1.60) takes `endpoint` as a host suffix; a container SAS URL (path-style on an IP, not
        checked by the sink) points it at the sink's container."""
        self.rclone_config({"baz": {"type": "azureblob", "sas_url": f"{url}/{ACCOUNT}/bench?sv={AZURE_VERSION}&sr=c&sp=racwdl&sig=bench"}})

    def manifest(self, name: str, source: Path, destination: dict, schedule: str = "@daily") -> Path:
        path = self.work / f"{name}.yml"
        path.write_text(yaml.safe_dump({"destinations": [destination], "source_folder": str(source), "cron_schedule": schedule}))
        path.chmod(0o600)
        return path

    def s3_destination(self, url: str, path: str) -> dict:
        return {"type": "s3", "name": "bench", "config": {
            "endpoint_url": url, "bucket_name": "bench", "bucket_path": path, "region": "us-east-1",
            "access_key_id": "BENCHKEY", "secret_access_key": "benchsecret"}}

    def azure_destination(self, url: str, path: str) -> dict:
        return {"type": "azure", "name": "bench", "config": {
            "storage_account": ACCOUNT, "storage_access_key": KEY, "container": "bench", "path": path,
            "endpoint": f"{url}/{ACCOUNT}"}}

    # S3
    def ours_backup(self, manifest: Path) -> Client:
        return Client("service-backup", lambda rep: ([str(self.binary), "backup", str(manifest)], self.env), ours=True)

    def aws_cp(self, url: str, source: Path, recursive: bool = False) -> Client:
        def command(rep):
            target = f"s3://bench/aws/{rep}/" + ("" if recursive else source.name)
            return ([self.aws, "s3", "cp", "--only-show-errors", "--no-progress", "--endpoint-url", url]
                    + (["--recursive"] if recursive else []) + [str(source), target], self.env)
        return Client("aws s3 cp" + (" --recursive" if recursive else ""), command)

    def rclone_copy(self, remote: str, source: Path, label: str) -> Client:
        return Client(label, lambda rep: (["rclone", "copy", str(source), f"{remote}/rclone/{rep}"], self.env))

    def curl_put(self, url: str, path: Path, headers: list[str] = ()) -> Client:
        def command(rep):
            argv = ["curl", "-sSf", "-o", "/dev/null", "-T", str(path)]
            for header in headers:
                argv += ["-H", header]
            return argv + [f"{url}/curl-{rep}.bin"], self.env
        return Client("curl -T (ceiling)", command)


# ---- cases -----------------------------------------------------------------------------------------------

def s3_cases(tools: Tools, sink: Sink, data: dict, wanted) -> list[dict]:
    rows = []
    tools.rclone_config({"bs3": {"type": "s3", "provider": "Other", "access_key_id": "BENCHKEY", "secret_access_key": "benchsecret",
                                  "endpoint": sink.url, "region": "us-east-1", "list_version": 2, "no_check_bucket": "true"}})
    counted = sink.connections  # noqa: E731
    if wanted("s3-1g"):
        manifest = tools.manifest("s3-1g", data["big_dir"], tools.s3_destination(sink.url, "sb"))
        rows += run_case("s3-1g", f"S3, one {BIG_MIB} MiB file", BIG_MIB, [
            tools.ours_backup(manifest), tools.aws_cp(sink.url, data["big"]),
            tools.rclone_copy("bs3:bench", data["big"], "rclone copy"), tools.curl_put(f"{sink.url}/bench", data["big"]),
        ], sink.cpu, counted, before=sink.reset, received=sink.received)
    if wanted("s3-many"):
        manifest = tools.manifest("s3-many", data["many"], tools.s3_destination(sink.url, "sb"))
        rows += run_case("s3-many", f"S3, {MANY} × 16 KiB", MANY * 16 / 1024, [
            tools.ours_backup(manifest), tools.aws_cp(sink.url, data["many"], recursive=True),
            tools.rclone_copy("bs3:bench", data["many"], "rclone copy"),
        ], sink.cpu, counted, before=sink.reset, received=sink.received)
    if wanted("s3-4g"):
        manifest = tools.manifest("s3-4g", data["huge_dir"], tools.s3_destination(sink.url, "sb"))
        rows += run_case("s3-4g", f"S3, one {HUGE_MIB} MiB file", HUGE_MIB, [
            tools.ours_backup(manifest), tools.aws_cp(sink.url, data["huge"]),
        ], sink.cpu, counted, before=sink.reset, received=sink.received)
    return rows


def azure_cases(tools: Tools, sink: Sink, data: dict, wanted) -> list[dict]:
    if not wanted("azure-1g"):
        return []
    tools.rclone_azure(sink.url)
    manifest = tools.manifest("azure-1g", data["big_dir"], tools.azure_destination(sink.url, "sb"))
    sdk = Client("azure-storage-blob upload_blob", lambda rep: (
        [tools.python, "-c", SDK_UPLOAD, f"{sink.url}/{ACCOUNT}", KEY, str(data["big"]), f"sdk/{rep}/big.bin"], tools.env))
    return run_case("azure-1g", f"Azure, one {BIG_MIB} MiB file", BIG_MIB, [
        tools.ours_backup(manifest), sdk, tools.rclone_copy("baz:bench", data["big"], "rclone copy (azureblob)"),
        tools.curl_put(f"{sink.url}/{ACCOUNT}/bench", data["big"], ["x-ms-blob-type: BlockBlob", f"x-ms-version: {AZURE_VERSION}"]),
    ], sink.cpu, sink.connections, before=sink.reset, received=sink.received)


def wan_cases(tools: Tools, sink: Sink, proxy: WanProxy, data: dict, wanted) -> list[dict]:
    rows = []
    if wanted("wan-s3"):
        tools.rclone_config({"bs3": {"type": "s3", "provider": "Other", "access_key_id": "BENCHKEY", "secret_access_key": "benchsecret",
                                      "endpoint": proxy.url, "region": "us-east-1", "list_version": 2, "no_check_bucket": "true"}})
        manifest = tools.manifest("wan-s3", data["big_dir"], tools.s3_destination(proxy.url, "sb"))
        rows += run_case("wan-s3", f"WAN S3, one {BIG_MIB} MiB file", BIG_MIB, [
            tools.ours_backup(manifest), tools.aws_cp(proxy.url, data["big"]), tools.rclone_copy("bs3:bench", data["big"], "rclone copy"),
        ], sink.cpu, proxy.connections, before=sink.reset, received=sink.received)
    if wanted("wan-azure"):
        tools.rclone_azure(proxy.url)
        manifest = tools.manifest("wan-azure", data["big_dir"], tools.azure_destination(proxy.url, "sb"))
        sdk = Client("azure-storage-blob upload_blob", lambda rep: (
            [tools.python, "-c", SDK_UPLOAD, f"{proxy.url}/{ACCOUNT}", KEY, str(data["big"]), f"sdk/{rep}/big.bin"], tools.env))
        rows += run_case("wan-azure", f"WAN Azure, one {BIG_MIB} MiB file", BIG_MIB, [
            tools.ours_backup(manifest), sdk, tools.rclone_copy("baz:bench", data["big"], "rclone copy (azureblob)"),
        ], sink.cpu, proxy.connections, before=sink.reset, received=sink.received)
    return rows


def restore_case(tools: Tools, sink: Sink, data: dict) -> list[dict]:
    sink.reset()
    manifest = tools.manifest("restore", data["huge_dir"], tools.s3_destination(sink.url, "restore"))
    run_client([str(tools.binary), "backup", str(manifest)], tools.env)
    listing = sink.call("GET", "/bench?list-type=2&prefix=restore/")
    key = next(part.split("</Key>")[0] for part in listing.split("<Key>")[1:] if part.split("</Key>")[0].endswith(data["huge"].name))
    target = tools.work / "restored"

    def clear(_rep=None):
        shutil.rmtree(target, ignore_errors=True)

    ours = Client("service-backup restore", lambda rep: (
        [str(tools.binary), "restore", str(manifest), "--to", str(target), "--force"], tools.env), ours=True, after=clear)
    aws = Client("aws s3 cp (download)", lambda rep: (
        [tools.aws, "s3", "cp", "--only-show-errors", "--no-progress", "--endpoint-url", sink.url, f"s3://bench/{key}", str(target / "huge.bin")],
        tools.env), after=clear)
    return run_case("restore", f"Restore, one {HUGE_MIB} MiB file from S3", HUGE_MIB, [ours, aws], sink.cpu, sink.connections)


def scp_case(tools: Tools, data: dict) -> list[dict]:
    from sshd_fixture import SSHServer
    server = SSHServer()
    try:
        key = server.keys["ed25519"]
        known = tools.work / "known_hosts"
        host_keys = [server.host_key_line(), (server.folder / "host_ecdsa.pub").read_text().strip()]
        known.write_text("".join(f"[127.0.0.1]:{server.port} {line}\n" for line in host_keys))
        ssh_options = ["-i", str(key), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", f"UserKnownHostsFile={known}",
                       "-o", "StrictHostKeyChecking=yes"]
        targets = tools.work / "scp-targets"
        source = data["scp"]

        def target(name, rep):
            path = targets / f"{name}-{rep}"
            path.mkdir(parents=True, exist_ok=True)
            return path

        def clear(_rep):
            shutil.rmtree(targets, ignore_errors=True)

        def ours(rep):
            manifest = tools.manifest("scp", source, {"type": "scp", "name": "bench", "config": {
                "server": "127.0.0.1", "port": server.port, "user": server.user, "destination": str(target("ours", rep)),
                "key": key.read_text(), "fingerprint": server.host_key_line()}})
            return [str(tools.binary), "backup", str(manifest)], tools.env

        def scp(legacy):
            return lambda rep: (["scp", "-q", "-r"] + (["-O"] if legacy else []) + ssh_options + ["-P", str(server.port), str(source),
                                f"{server.user}@127.0.0.1:{target('scp', rep)}"], tools.env)

        tools.rclone_config({"bsftp": {"type": "sftp", "host": "127.0.0.1", "port": server.port, "user": server.user,
                                        "key_file": str(key), "known_hosts_file": str(known)}})
        ssh_cat = " ".join(["ssh", *ssh_options, "-p", str(server.port), f"{server.user}@127.0.0.1", "'cat >/dev/null'"])
        clients = [
            Client("service-backup", ours, ours=True, after=clear),
            Client("scp -r", scp(False), after=clear), Client("scp -O -r", scp(True), after=clear),
            Client("rclone sftp", lambda rep: (["rclone", "copy", str(source), f"bsftp:{target('rclone', rep)}"], tools.env), after=clear),
            Client("cat | ssh cat (ceiling)", lambda rep: (["sh", "-c", f"cat {source}/* | {ssh_cat}"], tools.env)),
        ]

        def sshd_cpu():
            # the sessions' processes are counted once sshd has reaped them
            children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
            deadline = time.monotonic() + 10
            while children.read_text().strip() and time.monotonic() < deadline:
                time.sleep(0.05)
            return proc_cpu(server.process.pid, children=True)

        def accepted():
            return sum("Accepted publickey" in line for line in list(server.log))

        return run_case("scp", f"SCP, {SCP_MIB} MiB in {SCP_FILES} files", SCP_MIB, clients, sshd_cpu, accepted)
    finally:
        server.stop()


def idle_case(tools: Tools, sink: Sink, data: dict) -> list[dict]:
    """The daemon between fires: its RSS and context switches (all threads) over IDLE_SECONDS."""
    log(f"== Idle daemon, {IDLE_SECONDS} s")
    manifest = tools.manifest("idle", data["big_dir"], tools.s3_destination(sink.url, "idle"), schedule="0 0 1 1 *")
    logfile = open(tools.work / "idle.log", "w")
    process = subprocess.Popen([str(tools.binary), "daemon", str(manifest)], env=tools.env, stdout=logfile, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while (tools.work / "idle.log").stat().st_size == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)   # past its start-up

        def switches() -> dict[str, int]:
            """Each thread's voluntary + involuntary context switches, by thread id."""
            counts = {}
            for status in Path(f"/proc/{process.pid}/task").glob("*/status"):
                try:
                    lines = status.read_text().splitlines()
                except OSError:   # the thread ended
                    continue
                counts[status.parent.name] = sum(int(x.split()[1]) for x in lines
                                                 if x.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
            return counts

        def status_kib(field):
            line = next(x for x in Path(f"/proc/{process.pid}/status").read_text().splitlines() if x.startswith(field))
            return int(line.split()[1])

        # Sampled each second: a thread that starts counts from 0, one that ends keeps its last count.
        first, last = switches(), {}
        cpu0 = proc_cpu(process.pid)
        for _ in range(IDLE_SECONDS):
            time.sleep(1)
            last.update(switches())
        cpu1 = proc_cpu(process.pid)
        churn = len(set(first) ^ set(last))
        before, after = sum(first.get(tid, 0) for tid in last), sum(last.values())
        threads = len(list(Path(f"/proc/{process.pid}/task").iterdir()))
        row = {"case": "idle", "title": f"Idle daemon, {IDLE_SECONDS} s between fires", "client": "service-backup daemon", "ours": True,
               "mib": 0, "median_s": IDLE_SECONDS, "min_s": IDLE_SECONDS, "max_s": IDLE_SECONDS, "times": [IDLE_SECONDS],
               "mib_s": None, "ratio": None, "rss_mib": status_kib("VmRSS") / 1024, "peak_rss_mib": status_kib("VmHWM") / 1024,
               "cpu_s": cpu1 - cpu0, "server_cpu_s": 0.0, "connections": 0,
               "context_switches": after - before, "wakeups_per_s": (after - before) / IDLE_SECONDS, "threads": threads,
               "threads_started": churn}
        log(f"   RSS {row['rss_mib']:.1f} MiB (peak {row['peak_rss_mib']:.1f}), {row['context_switches']} context switches "
            f"({row['wakeups_per_s']:.2f}/s), {threads} threads ({churn} started or ended), CPU {row['cpu_s']:.2f} s")
        return [row]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        logfile.close()


# ---- report ----------------------------------------------------------------------------------------------

def versions(tools: Tools, binary: Path) -> dict:
    def first_line(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, env=tools.env, timeout=60)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "not found"
    sdk = subprocess.run([tools.python, "-c", "import azure.storage.blob as b; print(b.__version__)"], capture_output=True, text=True).stdout.strip()
    return {
        "service-backup": f"{first_line(['git', '-C', str(ROOT), 'describe', '--always', '--dirty'])} ({binary}, built "
                          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(binary.stat().st_mtime))} UTC)",
        "aws-cli": first_line([tools.aws, "--version"]), "rclone": first_line(["rclone", "version"]),
        "azure-storage-blob": sdk, "curl": first_line(["curl", "--version"]), "OpenSSH": first_line(["ssh", "-V"]),
    }


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(), "cpu": cpu,
            "kernel": os.uname().release, "memory": memory, "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "scale": "full" if FULL else "small", "reps": REPS}


def write_report(out: Path, rows: list[dict], info: dict, tools_versions: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"machine": info, "versions": tools_versions, "rows": rows}, indent=1))
    lines = [
        "# Benchmark results", "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Each client ran against the same local server",
        f"with the same data, alternating order, {info['reps']} times. Ratio = the client's median time / ours: above 1, we are faster.",
        "Peak RSS is the largest of the runs (the kernel's rusage of the client and its children); CPU is user+sys",
        "(median); server CPU is the sink's (or sshd's) over the run; connections are the TCP connections the client opened.", "",
        f"- Date: {info['date']}; scale: {info['scale']}" + (" (BENCH_SCALE=small: a quick run with 64 MiB files, not the figures "
                                                            "to quote)" if info["scale"] == "small" else "") + f"; load average at the end: {info['load']}",
        f"- Machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']}, Linux {info['kernel']}",
    ]
    lines += [f"- {name}: {version}" for name, version in tools_versions.items()]
    lines += [
        f"- WAN profile: bench/wanproxy.c, {2 * WAN_DELAY_MS} ms of round trip, {WAN_RATE_MIB} MiB/s per connection and direction, "
        f"{WAN_BUFFER_KIB} KiB buffered per direction.",
        "- Sink: bench/sink.c (C, a thread per connection, bodies counted and dropped); the `curl -T` rows are its ceiling.",
        "", "![ratios and peak RSS](results.png)", "",
        "| case | client | median s | spread s | MiB/s | ratio peer/us | peak RSS MiB | CPU s | server CPU s | connections |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row["case"] == "idle":
            continue
        client = row["client"].replace("|", "\\|")   # a pipe would end the cell
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else ("—" if not row["ours"] else "1 (us)")
        lines.append(
            f"| {row['title']} | {client} | {row['median_s']:.2f} | {row['min_s']:.2f}–{row['max_s']:.2f} | "
            f"{row['mib_s']:.1f} | {ratio} | {row['rss_mib']:.1f} | {row['cpu_s']:.2f} | {row['server_cpu_s']:.2f} | {row['connections']:g} |")
    for row in rows:
        if row["case"] == "idle":
            lines += ["", f"**{row['title']}** (schedule `0 0 1 1 *`): RSS {row['rss_mib']:.1f} MiB (peak {row['peak_rss_mib']:.1f} MiB), "
                      f"{row['context_switches']} context switches over all {row['threads']} threads "
                      f"({row['wakeups_per_s']:.2f} per second; {row['threads_started']} threads started or ended meanwhile), CPU {row['cpu_s']:.2f} s."]
    lines += ["", "GCS is not measured yet: a `google-cloud-storage` client against fake-gcs-server would be the pair.", ""]
    (out / "RESULTS.md").write_text("\n".join(lines))
    chart(out / "results.png", rows)


def chart(path: Path, rows: list[dict]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    peers = [r for r in rows if r["ratio"] is not None]
    measured = [r for r in rows if r["case"] != "idle"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, max(4, 0.32 * max(len(peers), len(measured)) + 1.5)))
    labels = [f"{r['title']}: {r['client']}" for r in peers]
    ratios = [r["ratio"] for r in peers]
    left.barh(labels, ratios, color=["tab:gray" if "ceiling" in r["client"] else "tab:green" if r["ratio"] >= 1 else "tab:red" for r in peers])
    left.axvline(1, color="black", linewidth=0.8)
    left.set_xscale("log")
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 4, 8, 16) if min(ratios + [1]) / 1.5 <= t <= max(ratios + [1]) * 1.5]
    left.set_xticks(ticks, [f"{t:g}" for t in ticks])
    left.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    for y, value in enumerate(ratios):
        left.text(value, y, f" {value:.2f}", va="center", fontsize=7)
    left.set_xlabel("peer time / our time (log; > 1: we are faster; gray: the ceiling)")
    left.invert_yaxis()
    left.tick_params(axis="y", labelsize=7)
    right.barh([f"{r['title']}: {r['client']}" for r in measured], [r["rss_mib"] for r in measured],
               color=["tab:blue" if r["ours"] else "tab:gray" for r in measured])
    right.axvline(64, color="tab:red", linewidth=0.8, linestyle="--")
    right.set_xlabel("peak RSS, MiB (ours blue; dashed: the 64 MiB bound)")
    right.invert_yaxis()
    right.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ---- main ------------------------------------------------------------------------------------------------

def main() -> None:
    binary, build = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    selected = {c for c in os.environ.get("BENCH_CASES", "").split(",") if c}
    wanted = lambda case: not selected or case in selected  # noqa: E731
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench"))
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=os.environ.get("BENCH_WORK")))
    work.chmod(0o700)
    tools = Tools(binary, build, work)
    sink = Sink(build)
    proxy = None
    rows: list[dict] = []
    started = time.monotonic()
    try:
        log(f"scale {'full' if FULL else 'small'}, {REPS} repetitions, work in {work}")
        data = {}
        data["big_dir"] = work / "big"
        data["big_dir"].mkdir()
        data["big"] = data["big_dir"] / "big.bin"
        pattern_file(data["big"], BIG_MIB, 1)
        if wanted("s3-many"):
            data["many"] = work / "many"
            small_files(data["many"], MANY)
        if wanted("s3-4g") or wanted("restore"):
            data["huge_dir"] = work / "huge"
            data["huge_dir"].mkdir()
            data["huge"] = data["huge_dir"] / "huge.bin"
            pattern_file(data["huge"], HUGE_MIB, 2)
        if wanted("scp"):
            data["scp"] = work / "scp"
            data["scp"].mkdir()
            for index in range(SCP_FILES):
                pattern_file(data["scp"] / f"part-{index}.bin", SCP_MIB // SCP_FILES, 10 + index)
        rows += s3_cases(tools, sink, data, wanted)
        rows += azure_cases(tools, sink, data, wanted)
        if wanted("scp"):
            rows += scp_case(tools, data)
        if wanted("restore"):
            rows += restore_case(tools, sink, data)
        if wanted("idle"):
            rows += idle_case(tools, sink, data)
        if wanted("wan-s3") or wanted("wan-azure"):
            proxy = WanProxy(build, sink.port, work)
            rows += wan_cases(tools, sink, proxy, data, wanted)
        write_report(out, rows, machine(), versions(tools, binary))
        log(f"wrote {out / 'RESULTS.md'} and {out / 'results.png'} in {time.monotonic() - started:.0f} s")
    finally:
        if proxy:
            proxy.stop()
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
