"""The bench's cases: each client's command line and the case's server (see run.py)."""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import yaml

from benchlib import (ACCOUNT, AZURE_VERSION, BIG_MIB, GCS_UPLOAD, HUGE_MIB, IDLE_SECONDS, KEY, MANY, SCP_FILES, SCP_MIB,
                      SDK_UPLOAD, Client, Sink, WanProxy, log, proc_cpu, run_case, run_client)


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

    def gcs_destination(self, url: str) -> dict:
        """A service account made for the bench (RSA key; its token_uri is the sink's, which checks no JWT); objects go
        to the bucket's root."""
        from gcs_fixture import ServiceAccount
        account = ServiceAccount.generate(f"{url}/token", email="bench@bench-project.iam.gserviceaccount.com")
        return {"type": "gcs", "name": "bench", "config": {
            "service_account_json": account.key_file(), "project_id": "bench-project", "bucket_name": "bench", "endpoint": url}}

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


def gcs_cases(tools: Tools, sink: Sink, data: dict, wanted) -> list[dict]:
    if not wanted("gcs-1g"):
        return []
    manifest = tools.manifest("gcs-1g", data["big_dir"], tools.gcs_destination(sink.url))
    name, size = data["big"].name, data["big"].stat().st_size

    def arrived(client: str):
        """After a run (the sink was reset before it): one object of the file's name is in the bucket, whole (the
        bytes the sink took at their offsets)."""
        def check(_rep):
            objects = {key: int(item["size"]) for key, item in sink.gcs_objects().items() if key.endswith(f"/{name}")}
            if list(objects.values()) != [size]:
                raise RuntimeError(f"{client}: the bucket holds {objects}, not one {name} of {size} bytes")
        return check

    ours = tools.ours_backup(manifest)
    ours.after = arrived(ours.name)
    sdk = Client("google-cloud-storage upload_from_filename", lambda rep: (
        [tools.python, "-c", GCS_UPLOAD, str(data["big"]), f"sdk/{rep}/{name}"], {**tools.env, "STORAGE_EMULATOR_HOST": sink.url}),
        after=arrived("google-cloud-storage"))
    return run_case("gcs-1g", f"GCS, one {BIG_MIB} MiB file", BIG_MIB, [ours, sdk], sink.cpu, sink.connections,
                    before=sink.reset, received=sink.received)


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
