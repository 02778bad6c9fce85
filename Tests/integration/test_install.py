"""`make install` installs a binary that runs without the Swift toolchain: the Swift runtime linked in
statically, no RUNPATH into the toolchain (readelf -d), and `scripts/check-self-contained.sh` refusing one that is not."""
import os
import re
import subprocess

from conftest import ROOT

CHECK = ROOT / "scripts" / "check-self-contained.sh"


def dynamic_section(path) -> str:
    return subprocess.run(["readelf", "-d", str(path)], check=True, capture_output=True, text=True).stdout


def test_the_check_refuses_a_binary_that_needs_the_toolchain(binary):
    # The debug build links the Swift runtime dynamically, through a RUNPATH into the toolchain.
    assert "libswiftCore.so" in dynamic_section(binary)
    result = subprocess.run([str(CHECK), str(binary)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "libswiftCore.so" in result.stderr and "run path" in result.stderr


def test_make_install_installs_a_self_contained_binary(tmp_path):
    destdir = tmp_path / "root"
    result = subprocess.run(["make", "-C", str(ROOT), "install", f"DESTDIR={destdir}", "PREFIX=/usr"],
                            capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    installed = destdir / "usr" / "bin" / "service-backup"
    section = dynamic_section(installed)
    assert "libswift" not in section and "libFoundation" not in section, section
    run_paths = re.findall(r"\((?:RUNPATH|RPATH)\)\s+Library r\w*path: \[(.*)\]", section)
    assert all(p in ("$ORIGIN", "") for paths in run_paths for p in paths.split(":")), run_paths
    assert subprocess.run([str(CHECK), str(installed)], capture_output=True).returncode == 0
    # It runs with nothing of the toolchain reachable.
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    version = subprocess.run([str(installed), "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert version.returncode == 0 and version.stdout.strip(), version.stderr
    config = destdir / "etc" / "service-backup" / "backup.yml"
    assert config.stat().st_mode & 0o777 == 0o640
