"""The two lager line formats: classic (`unix-epoch`) and pretty (`rfc3339`), chosen by `--log-format`, then the
manifest's `logging.format.timestamp`, then the command (the daemon `rfc3339`, `backup`/`manual-backup` `unix-epoch`)."""
import datetime
import json
import os
import re

import pytest

from conftest import run_cli, write_manifest
from daemon_process import DaemonProcess
from test_runs import daemons  # noqa: F401  (the fixture)

CLASSIC_KEYS = ["timestamp", "source", "message", "log_level", "data"]
PRETTY_KEYS = ["timestamp", "level", "source", "message", "data"]
CLASSIC_TIMESTAMP = re.compile(r"^\d{10}\.\d{9}$")
PRETTY_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")
LEVELS = {0: "debug", 1: "info", 2: "error", 3: "fatal"}


def lines_of(stdout: str) -> list[dict]:
    """Each line parsed with its keys in the order written."""
    return [json.loads(raw) for raw in stdout.splitlines() if raw.strip()]


def moment(line: dict) -> datetime.datetime:
    """A line's time, read as its format says; asserts the format's shape on the way."""
    stamp = line["timestamp"]
    if list(line) == CLASSIC_KEYS:
        assert CLASSIC_TIMESTAMP.match(stamp), stamp
        assert line["log_level"] in LEVELS
        return datetime.datetime.fromtimestamp(float(stamp), datetime.timezone.utc)
    assert list(line) == PRETTY_KEYS, line
    assert PRETTY_TIMESTAMP.match(stamp), stamp
    assert line["level"] in LEVELS.values()
    # Python's parser takes six fraction digits: drop the last three of lager's nine.
    return datetime.datetime.fromisoformat(stamp[:-4] + "+00:00")


def assert_format(lines: list[dict], keys: list[str], started: datetime.datetime):
    assert lines
    ended = datetime.datetime.now(datetime.timezone.utc)
    for line in lines:
        assert list(line) == keys, line
        assert started - datetime.timedelta(seconds=1) <= moment(line) <= ended + datetime.timedelta(seconds=1)
        assert line["source"] == "ServiceBackup" and line["message"].startswith("ServiceBackup.")


@pytest.fixture
def layout(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump.rdb").write_bytes(os.urandom(1000))
    return tmp_path, source


def manifest(tmp_path, source, target=None, **extra):
    return write_manifest(tmp_path, {
        "destinations": [{"type": "local", "config": {"path": str(target or tmp_path / "target")}}],
        "source_folder": str(source), "cron_schedule": "*/1 * * * * *", **extra,
    })


def logging(timestamp: str) -> dict:
    return {"logging": {"format": {"timestamp": timestamp}}}


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def backup(binary, *args):
    started = now()
    result = run_cli(binary, *args)
    return result, lines_of(result.stdout), started


def daemon_lines(binary, daemons, *args) -> tuple[list[dict], datetime.datetime]:
    started = now()
    daemon = DaemonProcess(binary, *args)
    daemons.append(daemon)
    daemon.wait_for_count("Upload backup completed successfully", 1)
    assert daemon.terminate() == 0
    return daemon.lines, started


def test_backup_writes_classic_lines_by_default(binary, layout):
    tmp_path, source = layout
    result, lines, started = backup(binary, "backup", manifest(tmp_path, source))
    assert result.returncode == 0, result.stderr
    assert_format(lines, CLASSIC_KEYS, started)
    assert all(line["log_level"] == 1 for line in lines)


def test_manual_backup_writes_classic_lines_by_default(binary, layout):
    tmp_path, source = layout
    link = tmp_path / "manual-backup"
    link.symlink_to(binary)
    result, lines, started = backup(link, manifest(tmp_path, source))
    assert result.returncode == 0, result.stderr
    assert_format(lines, CLASSIC_KEYS, started)


def test_daemon_writes_pretty_lines_by_default(binary, layout, daemons):
    tmp_path, source = layout
    lines, started = daemon_lines(binary, daemons, "daemon", manifest(tmp_path, source))
    assert_format(lines, PRETTY_KEYS, started)
    assert lines[0]["message"] == "ServiceBackup.Service-backup Started" and lines[0]["level"] == "info"


def test_the_manifest_chooses_the_format_of_either_command(binary, layout, daemons):
    tmp_path, source = layout
    result, lines, started = backup(binary, "backup", manifest(tmp_path, source, **logging("rfc3339")))
    assert result.returncode == 0, result.stderr
    assert_format(lines, PRETTY_KEYS, started)

    lines, started = daemon_lines(binary, daemons, "daemon", manifest(tmp_path, source, **logging("unix-epoch")))
    assert_format(lines, CLASSIC_KEYS, started)


def test_the_flag_beats_the_manifest(binary, layout, daemons):
    tmp_path, source = layout
    config = manifest(tmp_path, source, **logging("unix-epoch"))
    result, lines, started = backup(binary, "backup", "--log-format", "rfc3339", config)
    assert result.returncode == 0, result.stderr
    assert_format(lines, PRETTY_KEYS, started)

    config = manifest(tmp_path, source, **logging("rfc3339"))
    lines, started = daemon_lines(binary, daemons, "daemon", "--log-format", "unix-epoch", config)
    assert_format(lines, CLASSIC_KEYS, started)


def test_pretty_error_lines_name_the_level_and_carry_the_error(binary, layout):
    tmp_path, source = layout
    target = tmp_path / "target"
    target.write_text("a file where a folder belongs")
    result, lines, started = backup(binary, "backup", "--log-format", "rfc3339", manifest(tmp_path, source, target))
    assert result.returncode == 2
    assert_format(lines, PRETTY_KEYS, started)
    error = lines[-1]
    assert error["message"] == "ServiceBackup.Upload backup completed with error"
    assert error["level"] == "error" and "local destination" in error["data"]["error"]


def test_an_unknown_manifest_value_is_a_config_error_naming_the_key(binary, layout):
    tmp_path, source = layout
    config = manifest(tmp_path, source, **logging("iso8601"))
    for command in ("daemon", "backup"):
        result = run_cli(binary, command, config)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "Invalid config - logging.format.timestamp must be one of rfc3339, unix-epoch" in result.stderr


def test_an_unknown_flag_value_is_refused(binary, layout):
    tmp_path, source = layout
    result = run_cli(binary, "backup", "--log-format", "iso8601", manifest(tmp_path, source))
    assert result.returncode != 0
    assert result.stdout == ""
    assert "--log-format" in result.stderr and "rfc3339" in result.stderr


# --- the BOSH job -----------------------------------------------------------------------------------------

def test_the_bosh_job_renders_the_setting_only_when_set(tmp_path):
    from test_bosh_job import render
    import yaml
    base = {"destinations": [{"type": "local", "config": {"path": "/x"}}], "source_folder": "/x", "cron_schedule": "@daily"}
    unset = render(tmp_path, "templates/backup.yml.erb", base)
    assert unset.returncode == 0, unset.stderr
    assert ((yaml.safe_load(unset.stdout).get("logging") or {}).get("format") or {}).get("timestamp") is None
    chosen = render(tmp_path, "templates/backup.yml.erb", {**base, **logging("unix-epoch")})
    assert chosen.returncode == 0, chosen.stderr
    assert yaml.safe_load(chosen.stdout)["logging"] == {"format": {"timestamp": "unix-epoch"}}
    refused = render(tmp_path, "templates/backup.yml.erb", {**base, **logging("iso8601")})
    assert refused.returncode != 0
    assert refused.stderr.splitlines()[0] == ('Invalid config - logging.format.timestamp must be one of '
                                              'rfc3339, unix-epoch, got "iso8601".')
