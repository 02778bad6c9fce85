"""One version: `--version` prints it, the daemon's start line carries it, run manifests record it."""
import datetime
import json

from conftest import run_cli, write_manifest
from daemon_process import DaemonProcess


def test_version_is_the_one_run_manifests_record(binary, tmp_path):
    printed = run_cli(binary, "--version")
    assert printed.returncode == 0, printed.stderr
    version = printed.stdout.strip()
    assert version and " " not in version
    source = tmp_path / "source"
    source.mkdir()
    (source / "a").write_bytes(b"a")
    config = write_manifest(tmp_path, {"destinations": [{"type": "local", "config": {"path": str(tmp_path / "store")}}],
                                       "source_folder": str(source), "cron_schedule": "@daily"})
    assert run_cli(binary, "backup", config).returncode == 0
    [manifest] = (tmp_path / "store").rglob("*.manifest.json")
    assert json.loads(manifest.read_text())["tool_version"] == version


def test_the_start_line_names_version_manifest_destinations_and_next_fire_time(binary, tmp_path):
    version = run_cli(binary, "--version").stdout.strip()
    source = tmp_path / "source"
    source.mkdir()
    config = write_manifest(tmp_path, {
        "destinations": [{"type": "local", "name": "nfs", "config": {"path": str(tmp_path / "store")}},
                         {"type": "local", "config": {"path": str(tmp_path / "other")}}],
        "source_folder": str(source), "cron_schedule": "0 0 1 1 *"})
    daemon = DaemonProcess(binary, "daemon", config)
    try:
        daemon.wait_for(lambda ms: "ServiceBackup.Service-backup Started" in ms, what="the start line")
    finally:
        assert daemon.terminate() == 0
    [started] = [line for line in daemon.lines if line["message"] == "ServiceBackup.Service-backup Started"]
    data = started["data"]
    assert data["version"] == version
    assert data["config"] == str(config)
    assert data["destinations"] == ["nfs (local)", "local"]
    fire = datetime.datetime.fromisoformat(data["next_fire_time"].replace("Z", "+00:00"))
    assert fire > datetime.datetime.now(datetime.timezone.utc)
    assert fire.astimezone().month == 1 and fire.astimezone().day == 1 and fire.astimezone().hour == 0
