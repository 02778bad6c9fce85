"""Names the file system allows but stores may not: bytes that are not UTF-8, names as long as allowed."""
import os
from pathlib import Path

import pytest

from conftest import log_lines, run_cli
from moto_fixture import moto_s3  # noqa: F401 (a fixture)
from sshd_fixture import SSHServer
from test_restore import (  # noqa: F401 (fixtures)
    Peer, azure_peer, day, gcs_peer, local_peer, manifest_for, peer, s3_peer, scp_peer,
)

BAD = b"bad\xffname"
NESTED = b"folder\xfe/inner\xc3"


def make_source(source: Path) -> dict[bytes, bytes]:
    tree = {BAD: os.urandom(1000), NESTED: b"nested\n", "ok é.txt".encode(): b"fine\n"}
    for name, data in tree.items():
        path = os.path.join(bytes(source), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(data)
    return tree


def read_tree(folder: Path) -> dict[bytes, bytes]:
    found = {}
    for top, _, names in os.walk(bytes(folder)):
        for name in names:
            path = os.path.join(top, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, bytes(folder))] = file.read()
    return found


def test_names_that_are_not_utf8_are_backed_up_warned_of_and_restored_exactly(tmp_path, binary, peer):
    source = tmp_path / "source"
    tree = make_source(source)
    config = manifest_for(tmp_path, peer, source)
    backed = run_cli(binary, "backup", config)
    assert backed.returncode == 0, backed.stdout + backed.stderr
    warnings = [line["message"] for line in log_lines(backed.stdout) if "is not UTF-8" in line["message"]]
    assert any("bad\\xFFname" in w and "bad%FFname" in w for w in warnings), warnings
    assert any("folder\\xFE/inner\\xC3" in w and "folder%FE/inner%C3" in w for w in warnings), warnings

    if peer.name in ("local", "scp"):
        # Stores that hold any bytes keep the exact name.
        root = Path(peer.destination["config"]["path" if peer.name == "local" else "destination"])
        stored = {k: v for k, v in read_tree(root / day()).items() if not k.endswith(b".manifest.json")}
        assert stored == tree

    target = tmp_path / "restored"
    restored = run_cli(binary, "restore", config, "--to", target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert read_tree(target) == tree
    verified = run_cli(binary, "verify", config, "--read-data")
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.parametrize("peer", ["local", "scp"], indirect=True)
def test_a_name_of_250_characters_is_written_whole(tmp_path, binary, peer):
    source = tmp_path / "source"
    source.mkdir()
    name = "n" * 246 + ".rdb"
    (source / name).write_bytes(b"long name\n")
    config = manifest_for(tmp_path, peer, source)
    backed = run_cli(binary, "backup", config)
    assert backed.returncode == 0, backed.stdout + backed.stderr
    root = Path(peer.destination["config"]["path" if peer.name == "local" else "destination"])
    assert (root / day() / name).read_bytes() == b"long name\n"
    assert not [p for p in root.rglob("*") if "partial-" in p.name]


@pytest.fixture
def scp_without_sftp_peer(tmp_path: Path) -> Peer:
    sshd = SSHServer(sftp=False)
    root = tmp_path / "remote backups"
    config = {"server": "127.0.0.1", "port": sshd.port, "user": sshd.user, "destination": str(root),
              "key": sshd.key_text("ed25519"), "fingerprint": sshd.host_fingerprint()}
    yield Peer("scp", {"type": "scp", "name": "offsite", "config": config}, large=3 << 20, slow=0,
               in_flight=lambda: False, alter=lambda key, data: None)
    sshd.stop()


def test_names_that_are_not_utf8_keep_their_bytes_over_scp_without_sftp(tmp_path, binary, scp_without_sftp_peer):
    test_names_that_are_not_utf8_are_backed_up_warned_of_and_restored_exactly(tmp_path, binary, scp_without_sftp_peer)
