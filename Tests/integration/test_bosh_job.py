"""The BOSH job: templates rendered the way the director renders them (bosh_render.rb), the original's
validation texts, the rendered config accepted by `service-backup validate`, the scripts clean under
bash -n and shellcheck, and drain's waiting exercised against a running daemon."""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli, write_manifest

JOB = ROOT / "jobs" / "service-backup"
RENDERER = Path(__file__).with_name("bosh_render.rb")
DEFAULT_MESSAGE = "Provide these missing fields in your manifest."
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def render(tmp_path: Path, template: str, properties: dict, spec: dict | None = None) -> subprocess.CompletedProcess:
    """Renders jobs/service-backup/<template> with the manifest properties of the job."""
    if shutil.which("ruby") is None:
        pytest.fail("ruby is missing: run scripts/install-deps.sh")
    context = tmp_path / f"context-{template.replace('/', '-')}.json"
    context.write_text(json.dumps({"properties": {"service-backup": properties}, "spec": spec or {}}))
    return subprocess.run(
        ["ruby", str(RENDERER), str(JOB / "spec"), str(JOB / template), str(context)],
        capture_output=True, text=True, timeout=60,
    )


def rendered_config(tmp_path: Path, properties: dict, spec: dict | None = None) -> dict:
    result = render(tmp_path, "templates/backup.yml.erb", properties, spec)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def parser_refuses_everything(binary: Path, tmp_path: Path) -> str | None:
    """The reason to skip `validate` checks while the manifest parser is not on this build, else None."""
    folder = tmp_path / "probe"
    folder.mkdir(exist_ok=True)
    manifest = write_manifest(folder, {
        "destinations": [{"type": "local", "config": {"path": str(folder)}}],
        "source_folder": str(folder), "cron_schedule": "@daily",
    })
    result = run_cli(binary, "validate", manifest)
    if result.returncode != 0 and "not supported yet" in result.stderr:
        return f"this build cannot load manifests yet (parser or cron missing): {result.stderr.strip()}"
    return None


S3 = {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET, "bucket_name": "backups", "bucket_path": "redis"}
AZURE = {"storage_account": "account", "storage_access_key": SECRET, "container": "backups", "path": "redis"}
GCS = {"service_account_json": json.dumps({
    "type": "service_account", "project_id": "backups-project", "private_key_id": "0123abcd",
    "private_key": f"-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n",
    "client_email": "backups@backups-project.iam.gserviceaccount.com", "token_uri": "https://oauth2.googleapis.com/token"}),
    "project_id": "backups-project", "bucket_name": "redis-backups"}
SCP = {"server": "backup.example.com", "user": "backup", "destination": "/srv/backups",
       "key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"}


def manifest(*destinations: dict, **settings) -> dict:
    return {"destinations": list(destinations), "source_folder": "/var/vcap/store/backups",
            "cron_schedule": "0 0 2 * * *", **settings}


# --- backup.yml: valid manifests ---------------------------------------------------------------------

@pytest.mark.parametrize("destination, defaults", [
    ({"type": "s3", "name": "aws", "config": dict(S3)}, {"endpoint_url": "https://s3.amazonaws.com", "region": ""}),
    ({"type": "azure", "config": dict(AZURE)}, {}),
    ({"type": "scp", "config": dict(SCP)}, {"port": 22, "fingerprint": ""}),
    ({"type": "local", "config": {"path": "/var/vcap/store/copies"}}, {}),
    ({"type": "gcs", "name": "google", "config": dict(GCS)}, {}),
])
def test_renders_each_destination_type_with_the_original_defaults(tmp_path, destination, defaults):
    config = rendered_config(tmp_path, manifest(destination), {"deployment": "redis-on-demand-1234"})

    [rendered] = config["destinations"]
    assert rendered["type"] == destination["type"]
    assert rendered["config"] == {**destination["config"], **defaults}
    assert config["deployment_name"] == "redis-on-demand-1234"
    assert config["source_folder"] == "/var/vcap/store/backups"
    assert config["missing_properties_message"] == DEFAULT_MESSAGE
    assert config["shutdown_grace_period"] == 30
    assert "drain_max_wait" not in config, "a job-only property reached the daemon's configuration"
    assert "alerts" not in config, "alerts without product_name must be dropped"


def test_explicit_optional_values_win_over_defaults(tmp_path):
    s3 = {**S3, "endpoint_url": "http://127.0.0.1:9000", "region": "eu-west-1", "part_size": "64MiB",
          "concurrency": 8, "path_style": True, "storage_class": "STANDARD_IA"}
    scp = {**SCP, "port": 2222, "fingerprint": "SHA256:abc", "connect_timeout": 10}
    config = rendered_config(tmp_path, manifest({"type": "s3", "config": s3}, {"type": "scp", "config": scp},
                                                 shutdown_grace_period=5))
    assert config["destinations"][0]["config"] == s3
    assert config["destinations"][1]["config"] == scp
    assert config["shutdown_grace_period"] == 5


def test_no_destinations_needs_no_other_setting(tmp_path):
    config = rendered_config(tmp_path, {})
    assert config["destinations"] == []
    assert "source_folder" not in config


def test_alerts_are_rendered_in_the_daemons_form(tmp_path):
    alerts = {"product_name": "Redis", "config": {
        "cloud_controller": {"url": "https://api.sys.example.com", "user": "alerts", "password": "cc-password"},
        "notification_target": {"url": "https://notifications.sys.example.com", "cf_org": "system",
                                "cf_space": "alerts", "reply_to": "ops@example.com", "skip_ssl_validation": True,
                                "authentication": {"uaa": {"client_id": "notify", "client_secret": "uaa-secret"}}},
        "timeout_seconds": 90}}
    config = rendered_config(tmp_path, manifest({"type": "local", "config": {"path": "/x"}}, alerts=alerts))
    assert config["alerts"] == {"product_name": "Redis", "config": {
        "cloud_controller": {"url": "https://api.sys.example.com", "user": "alerts", "password": "cc-password"},
        "notifications": {"service_url": "https://notifications.sys.example.com", "cf_org": "system",
                          "cf_space": "alerts", "reply_to": "ops@example.com", "client_id": "notify",
                          "client_secret": "uaa-secret"},
        "timeout_seconds": 90, "skip_ssl_validation": True}}


def generated_key(tmp_path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True)
    return (tmp_path / "id").read_text()


def test_rendered_configs_pass_validate(binary, tmp_path):
    if reason := parser_refuses_everything(binary, tmp_path):
        pytest.skip(reason)
    # A real key, and a pinned host key so that validate does not ask the (fictional) server for one.
    scp = {**SCP, "key": generated_key(tmp_path), "fingerprint": "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"}
    every_type = manifest(
        {"type": "s3", "name": "aws", "config": dict(S3)}, {"type": "azure", "config": dict(AZURE)},
        {"type": "scp", "config": scp}, {"type": "local", "config": {"path": str(tmp_path)}},
        {"type": "gcs", "config": dict(GCS)},
        alerts={"product_name": "Redis", "config": {"cloud_controller": {"url": "https://api", "user": "u",
                                                                           "password": "p"}}})
    for name, properties in {"every-type": every_type, "none": {}}.items():
        result = render(tmp_path, "templates/backup.yml.erb", properties)
        assert result.returncode == 0, result.stderr
        path = tmp_path / f"{name}.yml"
        path.write_text(result.stdout)
        checked = run_cli(binary, "validate", path)
        assert checked.returncode == 0, f"{name}: {checked.stderr}"
        assert SECRET not in checked.stdout + checked.stderr


# --- backup.yml: the original's refusals ---------------------------------------------------------------

INVALID = {
    "missing top-level values": (
        {"destinations": [{"type": "local", "config": {"path": "/x"}}]},
        "Invalid config - Missing values for service_backup: source_folder, cron_schedule."),
    "missing cron_schedule only": (
        {"destinations": [{"type": "local", "config": {"path": "/x"}}], "source_folder": "/x", "cron_schedule": ""},
        "Invalid config - Missing values for service_backup: cron_schedule."),
    "missing s3 values": (
        manifest({"type": "s3", "config": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": SECRET}}),
        "Invalid config - Missing values for s3: bucket_name, bucket_path."),
    "missing azure values": (
        manifest({"type": "azure", "config": {"container": "c"}}),
        "Invalid config - Missing values for azure: storage_account, storage_access_key, path."),
    "missing scp values": (
        manifest({"type": "scp", "config": {"server": "h", "destination": "/d", "user": ""}}),
        "Invalid config - Missing values for scp: user, key."),
    "missing local path": (
        manifest({"type": "local", "config": {"path": None}}),
        "Invalid config - Missing values for local: path."),
    "missing config": (
        manifest({"type": "scp"}),
        "Invalid config - Missing config for scp."),
    "missing type": (
        manifest({"name": "nameless", "config": {"path": "/x"}}),
        "Invalid config - Missing type for destination."),
    "unknown type": (
        manifest({"type": "ftp", "config": {"server": "h"}}),
        "Invalid config - Unknown destination type: ftp."),
    "missing gcs values": (
        manifest({"type": "gcs", "config": {"bucket_name": "b"}}),
        "Invalid config - Missing values for gcs: service_account_json, project_id."),
}


@pytest.mark.parametrize("case", INVALID.keys())
def test_invalid_manifests_fail_rendering_with_the_original_text(tmp_path, case):
    properties, expected = INVALID[case]
    result = render(tmp_path, "templates/backup.yml.erb", properties)
    assert result.returncode != 0
    assert result.stderr.splitlines() == [expected, DEFAULT_MESSAGE]
    assert SECRET not in result.stderr


def test_custom_missing_properties_message_follows_the_error(tmp_path):
    properties = manifest({"type": "s3", "config": {"bucket_name": "b", "bucket_path": "p"}},
                          missing_properties_message="Ask the platform team for the S3 keys.")
    result = render(tmp_path, "templates/backup.yml.erb", properties)
    assert result.stderr.splitlines() == [
        "Invalid config - Missing values for s3: access_key_id, secret_access_key.",
        "Ask the platform team for the S3 keys."]


# --- scripts --------------------------------------------------------------------------------------------

SCRIPTS = ["templates/ctl.erb", "templates/drain.erb", "templates/manual-backup.sh.erb"]


@pytest.mark.parametrize("template", SCRIPTS)
@pytest.mark.parametrize("properties", [
    {},
    manifest({"type": "local", "config": {"path": "/x"}}, backup_user="redis", source_folder="/var/vcap/store/it's here",
             shutdown_grace_period=12, drain_max_wait=45),
], ids=["defaults", "quoted-values"])
def test_scripts_pass_bash_n_and_shellcheck(tmp_path, template, properties):
    result = render(tmp_path, template, properties)
    assert result.returncode == 0, result.stderr
    script = tmp_path / Path(template).stem
    script.write_text(result.stdout)
    assert result.stdout.startswith("#!/usr/bin/env bash\n")
    syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing: run scripts/install-deps.sh")
    lint = subprocess.run(["shellcheck", "--severity=style", str(script)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout


def test_scripts_carry_the_job_properties(tmp_path):
    properties = manifest({"type": "local", "config": {"path": "/x"}}, backup_user="redis",
                          source_folder="/var/vcap/store/it's here", shutdown_grace_period=12, drain_max_wait=45)
    ctl = render(tmp_path, "templates/ctl.erb", properties).stdout
    assert "BACKUP_USER=redis\n" in ctl and "GRACE_PERIOD=12\n" in ctl
    assert "mkdir -p /var/vcap/store/it\\'s\\ here" in ctl
    assert '"$BINARY" daemon "$CONFIG"' in ctl
    assert "MAX_WAIT=45\n" in render(tmp_path, "templates/drain.erb", properties).stdout
    manual = render(tmp_path, "templates/manual-backup.sh.erb", properties).stdout
    assert "service-backup backup /var/vcap/jobs/service-backup/config/backup.yml" in manual
    monit = render(tmp_path, "monit", properties)
    assert monit.returncode == 0, monit.stderr
    assert "with pidfile /var/vcap/sys/run/service-backup/service-backup.pid" in monit.stdout
    assert "with timeout 42 seconds" in monit.stdout


def test_every_template_in_the_spec_exists(tmp_path):
    spec = yaml.safe_load((JOB / "spec").read_text())
    assert spec["name"] == "service-backup"
    for template, target in spec["templates"].items():
        assert (JOB / "templates" / template).is_file(), template
        assert target in {"bin/ctl", "bin/drain", "bin/manual-backup", "config/backup.yml"}
    assert (ROOT / "packages" / spec["packages"][0] / "spec").is_file()


# --- drain against a running daemon ------------------------------------------------------------------

class DrainHarness:
    """A daemon started as ctl starts it (pidfile in a run folder) and the rendered drain script."""

    def __init__(self, binary: Path, tmp_path: Path, source_script: str, drain_max_wait: int, grace: int):
        self.binary, self.tmp = binary, tmp_path
        self.run_dir, self.log_dir = tmp_path / "run", tmp_path / "log"
        self.source, self.destination = tmp_path / "source", tmp_path / "destination"
        for folder in (self.run_dir, self.log_dir, self.source, self.destination):
            folder.mkdir()
        (self.source / "dump.rdb").write_bytes(b"dump")
        self.marker = tmp_path / "source-started"
        executable = tmp_path / "slow-source.sh"
        executable.write_text(source_script.replace("MARKER", str(self.marker)))
        executable.chmod(0o755)
        properties = {"destinations": [{"type": "local", "config": {"path": str(self.destination)}}],
                      "source_folder": str(self.source), "source_executable": str(executable),
                      "cron_schedule": "*/1 * * * * *", "shutdown_grace_period": grace,
                      "drain_max_wait": drain_max_wait}
        config = render(tmp_path, "templates/backup.yml.erb", properties)
        assert config.returncode == 0, config.stderr
        self.config = tmp_path / "backup.yml"
        self.config.write_text(config.stdout)
        drain = render(tmp_path, "templates/drain.erb", properties)
        assert drain.returncode == 0, drain.stderr
        self.drain_script = tmp_path / "drain"
        self.drain_script.write_text(drain.stdout)
        self.drain_script.chmod(0o755)
        self.daemon_log = tmp_path / "out.log"
        self.daemon = None

    def start_daemon(self) -> None:
        if reason := parser_refuses_everything(self.binary, self.tmp):
            pytest.skip(reason)
        with self.daemon_log.open("w") as log:
            self.daemon = subprocess.Popen([str(self.binary), "daemon", str(self.config)], stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
        (self.run_dir / "service-backup.pid").write_text(f"{self.daemon.pid}\n")

    def await_condition(self, condition, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; daemon log:\n{self.daemon_log.read_text()}")
            time.sleep(0.05)

    def drain(self) -> int:
        result = subprocess.run([str(self.drain_script), "job_changed", "hash_changed", "service-backup"],
                                capture_output=True, text=True, timeout=30,
                                env={**os.environ, "SERVICE_BACKUP_RUN_DIR": str(self.run_dir),
                                     "SERVICE_BACKUP_LOG_DIR": str(self.log_dir)})
        assert result.returncode == 0, result.stderr
        assert re.fullmatch(r"-?\d+\n", result.stdout), f"drain must print only an integer: {result.stdout!r}"
        return int(result.stdout)

    def drain_like_the_bosh_agent(self, timeout: float = 60) -> list[int]:
        """BOSH's dynamic drain: call, and while the answer is negative wait that many seconds and call again."""
        answers, deadline = [self.drain()], time.monotonic() + timeout
        while answers[-1] < 0:
            assert time.monotonic() < deadline, f"drain kept waiting: {answers}"
            time.sleep(-answers[-1])  # the protocol's own wait, as the agent does it
            answers.append(self.drain())
        return answers

    def log_messages(self) -> list[str]:
        return [json.loads(line)["message"] for line in self.daemon_log.read_text().splitlines()
                if line.startswith("{")]

    def stop(self) -> None:
        if self.daemon and self.daemon.poll() is None:
            os.killpg(self.daemon.pid, signal.SIGKILL)
            self.daemon.wait(timeout=10)


@pytest.fixture
def harness(binary, tmp_path):
    created = []

    def make(source_script: str, drain_max_wait: int = 60, grace: int = 5) -> DrainHarness:
        created.append(DrainHarness(binary, tmp_path, source_script, drain_max_wait, grace))
        return created[-1]

    yield make
    for each in created:
        each.stop()


def test_drain_waits_until_the_daemon_has_stopped_its_backup(harness):
    h = harness("#!/bin/sh\necho started > MARKER\nexec sleep 120\n")
    h.start_daemon()
    h.await_condition(h.marker.exists, "the source executable to start")

    first = h.drain()
    assert first < 0, "drain must ask BOSH to wait while the daemon runs"
    assert "sent SIGTERM to service-backup" in (h.log_dir / "drain.log").read_text()

    assert h.daemon.wait(timeout=60) == 0
    assert "ServiceBackup.All backup processes terminated. Exiting" in h.log_messages()
    assert h.drain() == 0
    assert not (h.run_dir / "drain-deadline").exists()


def test_drain_stops_waiting_after_drain_max_wait(harness):
    h = harness("#!/bin/sh\ntrap '' TERM\necho started > MARKER\nwhile :; do sleep 1; done\n",
                drain_max_wait=2, grace=60)
    h.start_daemon()
    h.await_condition(h.marker.exists, "the source executable to start")

    started = time.monotonic()
    answers = h.drain_like_the_bosh_agent(timeout=30)
    waited = time.monotonic() - started

    assert answers[0] < 0 and answers[-1] == 0 and all(-2 <= a < 0 for a in answers[:-1]), answers
    assert 1.5 <= waited < 10, f"drain waited {waited:.1f}s with drain_max_wait 2"
    assert h.daemon.poll() is None, "the daemon ignores nothing: it is still waiting for its child"
    assert "still running after 2s" in (h.log_dir / "drain.log").read_text()


def test_drain_without_a_daemon_answers_zero_and_signals_nothing(harness, tmp_path):
    h = harness("#!/bin/sh\nexit 0\n")
    assert h.drain() == 0
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        (h.run_dir / "service-backup.pid").write_text(f"{bystander.pid}\n")
        assert h.drain() == 0
        assert bystander.poll() is None, "drain signalled a process that is not service-backup"
    finally:
        bystander.kill()
        bystander.wait()
