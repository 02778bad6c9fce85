"""The systemd units: `systemd-analyze verify` and `security --offline` on both, the settings the
issue asks for, and `packaging/install.sh` (what `make install` runs) with PREFIX and DESTDIR."""
import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli
from test_bosh_job import parser_refuses_everything

UNITS = ROOT / "packaging" / "systemd"
SHIPPED_BINARY = "/usr/local/bin/service-backup"


def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.fail("systemd-analyze is missing: run scripts/install-deps.sh (Debian package systemd)")
    return path


def unit(name: str, folder: Path = UNITS) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False, empty_lines_in_values=False)
    parser.optionxform = str
    parser.read_string((folder / name).read_text())
    return {section: dict(parser[section]) for section in parser.sections()}


def units_runnable_here(tmp_path: Path, binary: Path, source: Path = UNITS, shipped: str = SHIPPED_BINARY) -> Path:
    """Copies of the units whose ExecStart names a copy of the built binary: verify checks it exists."""
    folder = tmp_path / "units"
    folder.mkdir()
    executable = tmp_path / "bin" / "service-backup"
    executable.parent.mkdir()
    shutil.copy2(binary, executable)
    for name in ("service-backup.service", "service-backup-manual.service"):
        text = (source / name).read_text()
        assert f"ExecStart={shipped} " in text, name
        (folder / name).write_text(text.replace(f"ExecStart={shipped} ", f"ExecStart={executable} "))
    return folder


def verify(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [systemd_analyze(), "verify", str(folder / "service-backup.service"),
         str(folder / "service-backup-manual.service")],
        capture_output=True, text=True, timeout=60, cwd=folder)


def test_both_units_pass_systemd_analyze_verify(binary, tmp_path):
    result = verify(units_runnable_here(tmp_path, binary))
    assert result.returncode == 0, result.stderr
    # verify only warns (exit 0) about unknown keys and unparsable values: there must be none.
    assert result.stderr.strip() == "", result.stderr


def test_verify_would_catch_a_broken_unit(binary, tmp_path):
    folder = units_runnable_here(tmp_path, binary)
    daemon = folder / "service-backup.service"
    daemon.write_text(daemon.read_text().replace("KillMode=mixed", "KillMode=mixd"))
    assert "kill mode" in verify(folder).stderr


@pytest.mark.parametrize("name", ["service-backup.service", "service-backup-manual.service"])
def test_units_are_hardened(binary, tmp_path, name):
    folder = units_runnable_here(tmp_path, binary)
    result = subprocess.run([systemd_analyze(), "security", "--offline=true", str(folder / name)],
                            capture_output=True, text=True, timeout=60, cwd=folder)
    assert result.returncode == 0, result.stderr
    exposure = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert exposure, result.stdout
    assert float(exposure.group(1)) <= 2.0, f"{name}: exposure {exposure.group(1)}\n{result.stdout}"

    service = unit(name)["Service"]
    for key, value in {"User": "service-backup", "Group": "service-backup", "NoNewPrivileges": "yes",
                       "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                       "CapabilityBoundingSet": "", "StandardOutput": "journal", "KillMode": "mixed"}.items():
        assert service.get(key) == value, f"{name}: {key}={service.get(key)!r}"


def test_the_daemon_unit_stops_gracefully_and_restarts_on_failure():
    service = unit("service-backup.service")["Service"]
    assert service["ExecStart"] == f"{SHIPPED_BINARY} daemon /etc/service-backup/backup.yml"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"
    assert service["KillSignal"] == "SIGTERM"
    grace = next(k["default"] for k in yaml.safe_load((ROOT / "spec.yml").read_text())["keys"]
                 if k["path"] == "shutdown_grace_period")
    assert int(service["TimeoutStopSec"].removesuffix("s")) > grace + 15
    assert "SIGTERM" in service["SuccessExitStatus"].split()
    assert unit("service-backup.service")["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize("name", ["service-backup.service", "service-backup-manual.service"])
def test_both_units_share_the_lock_folder(name):
    # ProtectSystem=strict leaves /run/lock read-only: the runs' lock lives in the units' runtime folder,
    # which the binary looks for first, and which one unit's stop must not remove under the other.
    service = unit(name)["Service"]
    assert service["RuntimeDirectory"] == "service-backup"
    assert service["RuntimeDirectoryPreserve"] == "yes"


def test_the_manual_unit_runs_one_backup():
    service = unit("service-backup-manual.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["ExecStart"] == f"{SHIPPED_BINARY} backup /etc/service-backup/backup.yml"


def test_install_honours_prefix_and_destdir(binary, tmp_path):
    destdir = tmp_path / "root"
    result = subprocess.run([str(ROOT / "packaging" / "install.sh"), str(binary)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "PREFIX": "/usr", "DESTDIR": str(destdir)})
    assert result.returncode == 0, result.stderr

    installed = destdir / "usr" / "bin" / "service-backup"
    assert installed.read_bytes() == binary.read_bytes()
    assert installed.stat().st_mode & 0o777 == 0o755
    assert os.readlink(destdir / "usr" / "bin" / "manual-backup") == "service-backup"
    for config in ("backup.yml", "backup.yml.example"):
        assert (destdir / "etc" / "service-backup" / config).stat().st_mode & 0o777 == 0o640, config
    assert (destdir / "usr" / "lib" / "sysusers.d" / "service-backup.conf").read_text().count("u service-backup") == 1

    unit_dir = destdir / "usr" / "lib" / "systemd" / "system"
    assert unit("service-backup.service", unit_dir)["Service"]["ExecStart"].startswith("/usr/bin/service-backup daemon ")
    (tmp_path / "verify").mkdir()
    checked = verify(units_runnable_here(tmp_path / "verify", binary, unit_dir, "/usr/bin/service-backup"))
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr

    # An operator's configuration survives a reinstall.
    (destdir / "etc" / "service-backup" / "backup.yml").write_text("# mine\n")
    assert subprocess.run([str(ROOT / "packaging" / "install.sh"), str(binary)], capture_output=True,
                          env={**os.environ, "PREFIX": "/usr", "DESTDIR": str(destdir)}).returncode == 0
    assert (destdir / "etc" / "service-backup" / "backup.yml").read_text() == "# mine\n"


def test_the_example_configuration_is_valid(binary, tmp_path):
    if reason := parser_refuses_everything(binary, tmp_path):
        pytest.skip(reason)
    result = run_cli(binary, "validate", ROOT / "packaging" / "backup.yml.example")
    assert result.returncode == 0, result.stderr
