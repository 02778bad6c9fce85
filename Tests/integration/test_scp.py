"""The scp destination against a real OpenSSH sshd on 127.0.0.1: keys, host key pins, atomic files, no secrets."""
import datetime
import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import assert_no_secrets, log_lines, messages, run_cli, run_conformance, write_manifest
from sshd_fixture import SSHServer, fingerprint

AWKWARD = "it's \"quoted\"; $(touch pwned) `id` & café"


@pytest.fixture
def sshd():
    server = SSHServer()
    yield server
    server.stop()


@pytest.fixture
def source(tmp_path):
    root = tmp_path / "source"
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "with space" / AWKWARD).mkdir(parents=True)
    (root / "empty").write_bytes(b"")
    (root / "nested" / "deeper" / "dump.rdb").write_bytes(os.urandom(50 * 1024 * 1024))
    (root / "with space" / AWKWARD / "file; rm -rf ~ $(id).txt").write_text("metacharacters\n")
    (root / "nested" / "small.txt").write_text("small\n")
    return root


def tree(root: Path) -> dict[str, str]:
    """The backed-up files below `root` by SHA-256, the run manifest aside."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*") if path.is_file() and not path.name.endswith(".manifest.json")
    }


def manifest(tmp_path: Path, sshd: SSHServer, source: Path, target: Path, key: str, fingerprint: str | None):
    config = {"server": "127.0.0.1", "port": sshd.port, "user": sshd.user, "destination": str(target),
              "key": sshd.key_text(key)}
    if fingerprint is not None:
        config["fingerprint"] = fingerprint
    return write_manifest(tmp_path, {
        "destinations": [{"type": "scp", "name": "offsite", "config": config}],
        "source_folder": str(source),
        "cron_schedule": "* * * * *",
    })


def backup(binary, tmp_path: Path, path: Path):
    """Runs `backup` with a private TMPDIR, which must be empty afterwards: no key file survives."""
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    result = run_cli(binary, "backup", path, env={"TMPDIR": str(scratch)}, timeout=300)
    assert list(scratch.iterdir()) == []
    return result


def dated(target: Path) -> Path:
    return target / datetime.date.today().strftime("%Y/%m/%d")


@pytest.mark.parametrize("key,pin", [("ed25519", "known_hosts"), ("rsa_pem", "sha256")])
def test_uploads_the_tree_byte_for_byte(binary, tmp_path, sshd, source, key, pin):
    assert sshd.key_text(key).startswith("-----BEGIN RSA PRIVATE KEY-----" if key == "rsa_pem" else "-----BEGIN OPENSSH")
    fingerprint = sshd.host_key_line() if pin == "known_hosts" else sshd.host_fingerprint()
    target = tmp_path / "remote backups"
    result = backup(binary, tmp_path, manifest(tmp_path, sshd, source, target, key, fingerprint))
    assert result.returncode == 0, result.stdout + result.stderr
    said = messages(result.stdout)
    assert "ServiceBackup.scp completed" in said
    assert "ServiceBackup.Upload backup completed successfully" in said
    assert tree(dated(target)) == tree(source)
    assert not [p for p in target.rglob("*") if "partial-" in p.name]
    assert not list(Path.cwd().glob("pwned")) and not list(tmp_path.rglob("pwned"))
    assert f"Accepted publickey for {sshd.user}" in "".join(sshd.log)
    assert_no_secrets(result.stdout, result.stderr, secrets=[sshd.key_text(key)])


def test_a_hashed_known_hosts_line_pins_the_key(binary, tmp_path, sshd, source):
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{sshd.port} {sshd.host_key_line()}\n")
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(known_hosts)], check=True, capture_output=True)
    hashed = known_hosts.read_text()
    assert hashed.startswith("|1|")
    target = tmp_path / "hashed"
    result = backup(binary, tmp_path, manifest(tmp_path, sshd, source, target, "ed25519", hashed))
    assert result.returncode == 0, result.stdout
    assert tree(dated(target)) == tree(source)


def test_a_wrong_pin_is_refused_and_nothing_is_written(binary, tmp_path, sshd, source):
    stranger = Path(f"{sshd.keys['stranger']}.pub")
    target = tmp_path / "never"
    result = backup(binary, tmp_path, manifest(tmp_path, sshd, source, target, "ed25519", stranger.read_text()))
    assert result.returncode == 2
    errors = [line for line in log_lines(result.stdout) if line["message"].endswith("Upload backup completed with error")]
    assert errors, result.stdout
    error = errors[0]["data"]["error"]
    assert fingerprint(stranger) in error and sshd.host_fingerprint() in error
    assert not target.exists()
    assert f"Accepted publickey" not in "".join(sshd.log)


def test_no_pin_warns_with_the_servers_fingerprint(binary, tmp_path, sshd, source):
    target = tmp_path / "unpinned"
    result = backup(binary, tmp_path, manifest(tmp_path, sshd, source, target, "ed25519", None))
    assert result.returncode == 0, result.stdout
    warnings = [line for line in log_lines(result.stdout) if "fingerprint" in line["message"]]
    assert warnings and sshd.host_fingerprint() in warnings[0]["message"]
    assert warnings[0]["data"]["fingerprint"] == sshd.host_fingerprint()
    assert tree(dated(target)) == tree(source)


def test_validate_prints_the_fingerprint_to_pin(binary, tmp_path, sshd, source):
    result = run_cli(binary, "validate", manifest(tmp_path, sshd, source, tmp_path / "t", "ed25519", None))
    assert result.returncode == 0, result.stderr
    assert f"fingerprint: {sshd.host_fingerprint()}" in result.stdout
    assert_no_secrets(result.stdout, result.stderr, secrets=[sshd.key_text("ed25519")])


def test_a_wrong_key_exits_2_with_the_contract_error(binary, tmp_path, sshd, source):
    target = tmp_path / "refused"
    result = backup(binary, tmp_path, manifest(tmp_path, sshd, source, target, "stranger", sshd.host_fingerprint()))
    assert result.returncode == 2
    lines = log_lines(result.stdout)
    errors = [line for line in lines if line["message"] == "ServiceBackup.Upload backup completed with error"]
    assert errors and errors[0]["log_level"] == 2, result.stdout
    assert "ssh-ed25519" in errors[0]["data"]["error"] and "publickey" in errors[0]["data"]["error"]
    assert not any("retrying" in line["message"] for line in lines)
    assert not target.exists()
    assert_no_secrets(result.stdout, result.stderr, secrets=[sshd.key_text("stranger")])


@pytest.mark.parametrize("pinned", [True, False])
def test_scp_store_conforms(tmp_path, sshd, pinned):
    target = tmp_path / "conformance target"
    config = {"server": "127.0.0.1", "port": sshd.port, "user": sshd.user, "destination": str(target),
              "key": sshd.key_text("ed25519"), "concurrency": 3}
    if pinned:
        config["fingerprint"] = sshd.host_fingerprint()
    path = write_manifest(tmp_path, {
        "destinations": [{"type": "scp", "name": "offsite", "config": config}],
        "source_folder": str(tmp_path), "cron_schedule": "@daily",
    })
    result = run_conformance(path)
    assert "conformance passed: scp destination offsite" in result.stdout
    assert not [p for p in target.rglob("*") if p.is_file()], "the suite removes what it wrote"
    assert_no_secrets(result.stdout, result.stderr, secrets=[sshd.key_text("ed25519")])


@pytest.mark.parametrize("pin", ["known_hosts", "sha256"])
def test_a_pinned_rsa_host_key_is_asked_for_when_the_server_offers_ed25519_first(binary, tmp_path, source, pin):
    sshd = SSHServer(host_keys=("ed25519", "rsa"), extra_config="HostKeyAlgorithms +ssh-rsa")
    try:
        fingerprint = sshd.host_key_line("rsa") if pin == "known_hosts" else sshd.host_fingerprint("rsa")
        target = tmp_path / "rsa pinned"
        result = backup(binary, tmp_path, manifest(tmp_path, sshd, source, target, "ed25519", fingerprint))
        assert result.returncode == 0, result.stdout + result.stderr
        assert tree(dated(target)) == tree(source)
    finally:
        sshd.stop()


def test_a_pinned_key_type_that_cannot_be_verified_says_so(binary, tmp_path, source):
    # OpenSSH 8.8+ offers RSA host keys only as rsa-sha2-256/512, which libssh2 1.10 cannot verify.
    sshd = SSHServer(host_keys=("ed25519", "rsa"))
    try:
        target = tmp_path / "unverifiable"
        result = backup(binary, tmp_path, manifest(tmp_path, sshd, source, target, "ed25519", sshd.host_key_line("rsa")))
        assert result.returncode == 2
        [error] = [line["data"]["error"] for line in log_lines(result.stdout) if line["message"].endswith("scp upload failed")]
        assert "the pinned ssh-rsa host key" in error and "cannot be verified" in error and "libssh2" in error
        assert sshd.host_fingerprint("ed25519") in error  # what to pin instead
        assert "retrying" not in result.stdout
        assert not target.exists()
    finally:
        sshd.stop()


def test_a_server_without_sftp_gets_the_files_over_scp(binary, tmp_path, source):
    sshd = SSHServer(sftp=False)
    try:
        target = tmp_path / "no sftp"
        config = manifest(tmp_path, sshd, source, target, "ed25519", sshd.host_fingerprint())
        result = backup(binary, tmp_path, config)
        assert result.returncode == 0, result.stdout + result.stderr
        said = messages(result.stdout)
        assert "ServiceBackup.scp destination offers no SFTP subsystem: files travel over the SCP protocol" in said
        assert "retrying" not in result.stdout
        assert_no_secrets(result.stdout, result.stderr, secrets=[sshd.key_text("ed25519")])
        assert tree(dated(target)) == tree(source)
        assert not [p for p in target.rglob("*") if "partial-" in p.name]
        assert not list(Path.cwd().glob("pwned")) and not list(tmp_path.rglob("pwned"))
        # list, verify and restore work the same way.
        listed = run_cli(binary, "list", config, "--json")
        assert listed.returncode == 0, listed.stderr
        verified = run_cli(binary, "verify", config, "--read-data")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        restored = run_cli(binary, "restore", config, "--to", tmp_path / "restored")
        assert restored.returncode == 0, restored.stderr
        assert tree(tmp_path / "restored") == tree(source)
    finally:
        sshd.stop()


def test_the_scp_store_conforms_without_sftp(tmp_path):
    sshd = SSHServer(sftp=False)
    try:
        config = {"server": "127.0.0.1", "port": sshd.port, "user": sshd.user, "destination": str(tmp_path / "conformance"),
                  "key": sshd.key_text("ed25519"), "fingerprint": sshd.host_fingerprint()}
        path = write_manifest(tmp_path, {"destinations": [{"type": "scp", "config": config}],
                                         "source_folder": str(tmp_path), "cron_schedule": "@daily"})
        run_conformance(path)
    finally:
        sshd.stop()


def test_every_command_ends_each_ssh_session_with_a_disconnect(binary, tmp_path, sshd, source):
    """A command exits right after its work: the connections it kept are closed first, each telling the server. The
    backup run, then list, verify, restore and check on the same destination, each a process of its own."""
    target = tmp_path / "remote"
    path = manifest(tmp_path, sshd, source, target, "ed25519", sshd.host_key_line())
    accepted = lambda: "".join(sshd.log).count("Accepted publickey")  # noqa: E731
    disconnected = lambda: "".join(sshd.log).count("Disconnected from user")  # noqa: E731  (authenticated sessions only)

    def all_ended(after: int) -> None:
        deadline = time.monotonic() + 10
        while disconnected() < accepted() and time.monotonic() < deadline:
            time.sleep(0.05)   # sshd logs each session's end a moment after it
        assert accepted() > after
        assert disconnected() == accepted(), "".join(sshd.log)

    result = backup(binary, tmp_path, path)
    assert result.returncode == 0, result.stdout + result.stderr
    all_ended(0)
    for command in (["list"], ["verify", "--read-data"], ["restore", "--to", tmp_path / "restored"], ["check"]):
        before = accepted()
        result = run_cli(binary, command[0], path, *command[1:])
        assert result.returncode == 0, result.stdout + result.stderr
        all_ended(before)
