"""The status file, `status`, the Prometheus metrics file and the terminal progress of `backup`,
with a local destination that works and an S3 destination whose server is not there."""
import json
import os
import pty
import re
import select
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import assert_no_secrets, free_port, log_lines, run_cli, write_manifest
from daemon_process import DaemonProcess

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSTATUSEXAMPLEKEY"
ACCESS_KEY = "AKIASTATUSTESTKEY123"
EVERY_SECOND = "*/1 * * * * *"


@pytest.fixture
def setup(tmp_path):
    source = tmp_path / "source"
    (source / "nested").mkdir(parents=True)
    (source / "nested" / "dump.rdb").write_bytes(os.urandom(200_000))
    (source / "small").write_bytes(b"x" * 10)
    return tmp_path, source


def manifest(tmp_path: Path, source: Path, failing: bool = True, **extra) -> Path:
    destinations = [{"type": "local", "name": 'nfs "main"', "config": {"path": str(tmp_path / "target")}}]
    if failing:
        destinations.append({"type": "s3", "name": "offsite", "config": {
            "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY, "bucket_name": "b", "bucket_path": "p",
            "endpoint_url": f"http://127.0.0.1:{free_port()}", "region": "us-east-1", "retry_attempts": 1,
        }})
    return write_manifest(tmp_path, {
        "destinations": destinations,
        "source_folder": str(source),
        "cron_schedule": EVERY_SECOND,
        "run_folders": True,  # several runs a day: each in a folder of its own (and no warning on stderr)
        "state_dir": str(tmp_path / "state"),
        "metrics_file": str(tmp_path / "metrics" / "service_backup.prom"),
        **extra,
    })


def state_file(tmp_path: Path) -> Path:
    files = list((tmp_path / "state").iterdir())
    assert len(files) == 1, f"one status file and nothing else (no temporary file): {files}"
    return files[0]


def metrics(tmp_path: Path) -> dict[tuple, float]:
    """The metrics file, checked by promtool when it is installed and parsed by prometheus_client:
    {(sample name, frozenset of labels): value}."""
    folder = tmp_path / "metrics"
    assert [p.name for p in folder.iterdir()] == ["service_backup.prom"], "no temporary file is left"
    text = (folder / "service_backup.prom").read_text()
    promtool = shutil.which("promtool")
    if promtool:
        checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    samples = {}
    families = {}
    for family in text_string_to_metric_families(text):
        families[family.name] = family
        assert family.documentation, f"{family.name} has a HELP line"
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    assert families["service_backup_runs"].type == "counter"
    assert families["service_backup_up"].type == "gauge"
    return samples


def labels(destination: str, kind: str) -> frozenset:
    return frozenset({"destination": destination, "type": kind}.items())


def test_backups_record_status_and_metrics_across_runs(binary, setup):
    tmp_path, source = setup
    config = manifest(tmp_path, source)

    first = run_cli(binary, "backup", config)
    assert first.returncode == 2, "the S3 destination fails, so the backup fails"
    status = json.loads(state_file(tmp_path).read_text())
    assert status["format_version"] == 1 and status["manifest"] == str(config)
    assert status["runs"] == {"succeeded": 0, "failed": 1, "cancelled": 0}
    assert status["last_run"]["outcome"] == "failed" and status["last_run"]["trigger"] == "backup"
    assert status["last_run"]["failed_step"] == "upload"
    assert status["daemon"]["running"] is False and "next_run_at" not in status
    local, s3 = status["destinations"]
    assert (local["name"], local["type"], s3["name"], s3["type"]) == ('nfs "main"', "local", "offsite", "s3")
    assert local["last_outcome"] == "succeeded" and local["consecutive_failures"] == 0
    assert local["last_bytes"] == 200_010 and local["last_files"] == 2 and local["last_duration_seconds"] > 0
    assert local["last_success_at"].endswith("Z") and "last_failure_at" not in local
    assert local["last_manifest_key"].endswith(".manifest.json")
    assert (tmp_path / "target" / local["last_manifest_key"]).exists()
    assert s3["last_outcome"] == "failed" and s3["consecutive_failures"] == 1 and "last_success_at" not in s3
    assert s3["last_error"] and s3["last_failure_at"]
    first_success = local["last_success_at"]

    samples = metrics(tmp_path)
    assert samples[("service_backup_runs_total", frozenset({"outcome": "failed"}.items()))] == 1
    assert samples[("service_backup_runs_total", frozenset({"outcome": "succeeded"}.items()))] == 0
    assert samples[("service_backup_up", frozenset())] == 0
    assert samples[("service_backup_last_run_bytes", labels('nfs "main"', "local"))] == 200_010
    assert samples[("service_backup_last_success_timestamp_seconds", labels("offsite", "s3"))] == 0
    assert samples[("service_backup_last_success_timestamp_seconds", labels('nfs "main"', "local"))] > 1.7e9

    second = run_cli(binary, "backup", config)
    assert second.returncode == 2
    status = json.loads(state_file(tmp_path).read_text())
    assert status["runs"]["failed"] == 2
    local, s3 = status["destinations"]
    assert s3["consecutive_failures"] == 2 and local["consecutive_failures"] == 0
    assert local["last_success_at"] > first_success
    samples = metrics(tmp_path)
    assert samples[("service_backup_runs_total", frozenset({"outcome": "failed"}.items()))] == 2
    assert samples[("service_backup_consecutive_failures", labels("offsite", "s3"))] == 2

    # Now the S3 destination goes: its entry goes too, the counters stay.
    third = run_cli(binary, "backup", manifest(tmp_path, source, failing=False))
    assert third.returncode == 0, third.stdout + third.stderr
    status = json.loads(state_file(tmp_path).read_text())
    assert status["runs"] == {"succeeded": 1, "failed": 2, "cancelled": 0}
    assert [d["name"] for d in status["destinations"]] == ['nfs "main"']
    assert metrics(tmp_path)[("service_backup_runs_total", frozenset({"outcome": "succeeded"}.items()))] == 1

    files = [state_file(tmp_path).read_text(), (tmp_path / "metrics" / "service_backup.prom").read_text()]
    assert_no_secrets(*files, first.stdout, first.stderr, secrets=[SECRET_KEY, ACCESS_KEY])


def test_status_prints_a_table_and_json(binary, setup):
    tmp_path, source = setup
    config = manifest(tmp_path, source)
    assert run_cli(binary, "backup", config).returncode == 2

    table = run_cli(binary, "status", config)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == f"manifest: {config}"
    assert lines[1].startswith(f"status file: {state_file(tmp_path)}, updated ")
    assert "daemon: not running" in lines
    assert "runs: 0 succeeded, 1 failed, 0 cancelled" in lines
    header = next(line for line in lines if line.startswith("DESTINATION"))
    assert header.split()[:3] == ["DESTINATION", "TYPE", "LAST"]
    rows = lines[lines.index(header) + 1:]
    assert rows[0].startswith('nfs "main"') and " succeeded " in rows[0]
    assert rows[1].startswith("offsite") and " failed " in rows[1] and " never " in rows[1]
    assert any(line.startswith("offsite: last error: ") for line in rows)

    as_json = run_cli(binary, "status", config, "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == json.loads(state_file(tmp_path).read_text())
    assert_no_secrets(table.stdout, as_json.stdout, secrets=[SECRET_KEY, ACCESS_KEY])


def test_status_before_any_run_says_so(binary, setup):
    tmp_path, source = setup
    config = manifest(tmp_path, source)
    result = run_cli(binary, "status", config)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"no status yet for {config}: {tmp_path}/state/backup-")
    assert run_cli(binary, "status", config, "--json").returncode == 1


def test_status_help_and_validate_name_the_files(binary, setup):
    tmp_path, source = setup
    config = manifest(tmp_path, source)
    help_text = run_cli(binary, "status", "--help")
    assert help_text.returncode == 0 and "--json" in help_text.stdout and "state_dir" in help_text.stdout
    validate = run_cli(binary, "validate", config)
    assert validate.returncode == 0, validate.stderr
    assert f"status file: {tmp_path}/state/backup-" in validate.stdout
    assert f"metrics file: {tmp_path}/metrics/service_backup.prom" in validate.stdout


def test_daemon_records_it_runs_its_next_fire_time_and_its_stop(binary, setup):
    tmp_path, source = setup
    config = manifest(tmp_path, source, failing=False)
    daemon = DaemonProcess(binary, "daemon", config)
    try:
        daemon.wait_for_count("Upload backup completed successfully", 2)
        # The status of a run is written right after it; a third run's start proves the second's is there.
        daemon.wait_for_count("Upload backup started", 3)
        status = json.loads(state_file(tmp_path).read_text())
        assert status["daemon"]["running"] is True and status["daemon"]["pid"] == daemon.process.pid
        assert status["runs"]["succeeded"] >= 2
        assert status["last_run"]["trigger"] == "daemon"
        assert status["next_run_at"] > status["last_run"]["finished_at"]
        samples = metrics(tmp_path)
        assert samples[("service_backup_up", frozenset())] == 1
        assert samples[("service_backup_next_run_timestamp_seconds", frozenset())] > 1.7e9
        assert samples[("service_backup_runs_total", frozenset({"outcome": "succeeded"}.items()))] >= 2
    finally:
        assert daemon.terminate() == 0
    status = json.loads(state_file(tmp_path).read_text())
    assert status["daemon"]["running"] is False and "next_run_at" not in status
    samples = metrics(tmp_path)
    assert samples[("service_backup_up", frozenset())] == 0
    assert ("service_backup_next_run_timestamp_seconds", frozenset()) not in samples
    for outcome, count in status["runs"].items():
        assert samples[("service_backup_runs_total", frozenset({"outcome": outcome}.items()))] == count


def test_an_unwritable_state_dir_is_logged_and_the_backup_succeeds(binary, setup):
    tmp_path, source = setup
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the state folder should be")
    config = manifest(tmp_path, source, failing=False, state_dir=str(blocker / "state"),
                      metrics_file=str(blocker / "sb.prom"))
    result = run_cli(binary, "backup", config)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line["message"]: line for line in log_lines(result.stdout)}
    assert "ServiceBackup.Upload backup completed successfully" in lines
    written = lines["ServiceBackup.status file not written"]
    assert written["log_level"] == 2 and written["data"]["path"].startswith(str(blocker / "state" / "backup-"))
    assert lines["ServiceBackup.metrics file not written"]["data"]["path"] == str(blocker / "sb.prom")


def test_a_damaged_status_file_is_reported_then_replaced(binary, setup):
    tmp_path, source = setup
    config = manifest(tmp_path, source, failing=False)
    assert run_cli(binary, "backup", config).returncode == 0
    path = state_file(tmp_path)
    path.write_text('{"format_version": 1, "runs": ')

    status = run_cli(binary, "status", config)
    assert status.returncode == 1 and status.stdout == ""
    assert status.stderr.startswith(f"cannot read the status file {path}: ")

    result = run_cli(binary, "backup", config)
    assert result.returncode == 0
    damaged = [line for line in log_lines(result.stdout) if line["message"] == "ServiceBackup.status file unreadable, starting afresh"]
    assert len(damaged) == 1 and damaged[0]["data"]["path"] == str(path)
    assert json.loads(path.read_text())["runs"] == {"succeeded": 1, "failed": 0, "cancelled": 0}


# --- progress ---------------------------------------------------------------------------------------------------

def run_with_terminal_stderr(binary: Path, *args) -> tuple[int, str, bytes]:
    """Runs the binary with stderr on a pseudo-terminal and stdout on a pipe: (exit code, stdout, terminal bytes)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(binary), *map(str, args)], stdout=subprocess.PIPE, stderr=terminal,
                               stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "200"})
    os.close(terminal)
    seen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        assert ready, "no output and no end within 60 s"
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: every copy of the terminal side is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    stdout = process.stdout.read().decode()
    return process.wait(timeout=60), stdout, seen


def test_backup_from_a_terminal_shows_progress_on_stderr(binary, setup):
    tmp_path, source = setup
    config = manifest(tmp_path, source)
    code, stdout, screen = run_with_terminal_stderr(binary, "backup", config)
    assert code == 2
    text = screen.decode()
    assert "local destination nfs \"main\"  195.3 KiB / 195.3 KiB  100%  done in" in text
    assert "s3 destination offsite  0 B / 195.3 KiB  0%  failed" in text
    assert "\x1b[1A\x1b[2K" in text, "the board is redrawn in place"
    assert "\x1b" not in stdout
    messages = [line["message"] for line in log_lines(stdout)]  # stdout is still only JSON lines
    assert "ServiceBackup.Upload backup completed with error" in messages


def test_progress_of_one_large_file_moves_byte_by_byte(binary, tmp_path):
    """One 24 MiB dump at 8 MiB/s takes about 3 s: the board shows it part-way, never going back, then whole."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump.rdb").write_bytes(os.urandom(24 << 20))
    config = write_manifest(tmp_path, {
        "destinations": [{"type": "local", "name": "big", "config": {
            "path": str(tmp_path / "target"), "bandwidth_limit": "8MiB"}}],
        "source_folder": str(source),
        "cron_schedule": EVERY_SECOND,
    })
    code, stdout, screen = run_with_terminal_stderr(binary, "backup", config)
    assert code == 0, stdout
    board_lines = [line for line in screen.decode().replace("\r", "\n").split("\n") if "local destination big" in line]
    percents = [int(re.search(r"  (\d+)%", line).group(1)) for line in board_lines]
    assert percents == sorted(percents), f"progress never goes back: {percents}"
    between = {p for p in percents if 0 < p < 100}
    assert len(between) >= 2, f"the board shows the file part-way at least twice: {board_lines}"
    assert "local destination big  24.0 MiB / 24.0 MiB  100%  done in" in board_lines[-1]
    assert (tmp_path / "target").exists()
    assert "\x1b" not in stdout
    messages = [line["message"] for line in log_lines(stdout)]  # stdout is still only JSON lines
    assert "ServiceBackup.Upload backup completed successfully" in messages


def test_no_progress_when_stderr_is_not_a_terminal(binary, setup):
    tmp_path, source = setup
    result = run_cli(binary, "backup", manifest(tmp_path, source, failing=False))
    assert result.returncode == 0
    assert result.stderr == ""
    assert "\x1b" not in result.stdout
    log_lines(result.stdout)


# --- the BOSH job ---------------------------------------------------------------------------------------------

def test_bosh_job_keeps_status_in_its_own_folder_and_prepares_the_metrics_folder(tmp_path):
    from test_bosh_job import render, rendered_config

    properties = {"destinations": [{"type": "local", "config": {"path": "/x"}}], "source_folder": "/src",
                  "cron_schedule": "@daily", "metrics_file": "/var/vcap/store/node exporter/service_backup.prom"}
    config = rendered_config(tmp_path, properties)
    assert config["state_dir"] == "/var/vcap/data/service-backup"
    assert config["metrics_file"] == "/var/vcap/store/node exporter/service_backup.prom"

    ctl = render(tmp_path, "templates/ctl.erb", properties)
    assert ctl.returncode == 0, ctl.stderr
    assert "STATE_DIR=/var/vcap/data/service-backup\n" in ctl.stdout
    assert 'chown "$BACKUP_USER:$BACKUP_USER" "$STATE_DIR"' in ctl.stdout
    assert "METRICS_DIR=$(dirname /var/vcap/store/node\\ exporter/service_backup.prom)" in ctl.stdout
    script = tmp_path / "ctl"
    script.write_text(ctl.stdout)
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    if shutil.which("shellcheck"):
        lint = subprocess.run(["shellcheck", "--severity=style", str(script)], capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout

    without = render(tmp_path, "templates/ctl.erb", {**properties, "metrics_file": ""}).stdout
    assert "METRICS_DIR" not in without
    assert rendered_config(tmp_path, {**properties, "metrics_file": ""}).get("metrics_file", "") == ""  # empty: none
