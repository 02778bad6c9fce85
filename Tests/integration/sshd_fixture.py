"""A real OpenSSH sshd on a free loopback port, with its own host keys, user keys and authorized_keys."""
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from conftest import free_port
from secret_scan import register_secret

SSHD = "/usr/sbin/sshd"


def keygen(path: Path, *args: str) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-C", path.name, "-f", str(path), *args], check=True)
    return path


def fingerprint(public_key: Path, hash_name: str = "sha256") -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-E", hash_name, "-f", str(public_key)],
                         check=True, capture_output=True, text=True).stdout
    return out.split()[1]


class SSHServer:
    """sshd -D -e -f <own config> on 127.0.0.1; `keys` holds user keys by name (ed25519, rsa_pem, stranger).

    `host_keys` are the host key types, in the order sshd offers them (`host_key` is the first one's file);
    `sftp=False` leaves out the SFTP subsystem, as restricted accounts often do; `extra_config` is added to sshd_config.
    """

    def __init__(self, host_keys: tuple[str, ...] = ("ed25519", "ecdsa"), sftp: bool = True, extra_config: str = ""):
        self.folder = Path(tempfile.mkdtemp(prefix="sshd-"))
        self.port = free_port()
        self.host_keys = {kind: keygen(self.folder / f"host_{kind}", "-t", kind) for kind in host_keys}
        self.host_key = self.host_keys[host_keys[0]]
        self.keys = {
            "ed25519": keygen(self.folder / "user_ed25519", "-t", "ed25519"),
            "rsa_pem": keygen(self.folder / "user_rsa_pem", "-t", "rsa", "-b", "3072", "-m", "PEM"),
            "stranger": keygen(self.folder / "stranger_ed25519", "-t", "ed25519"),
        }
        for private in self.keys.values():
            register_secret(private.read_text(), lasting=True)
        authorized = self.folder / "authorized_keys"
        authorized.write_text("".join(Path(f"{self.keys[k]}.pub").read_text() for k in ("ed25519", "rsa_pem")))
        config = self.folder / "sshd_config"
        config.write_text(f"""Port {self.port}
ListenAddress 127.0.0.1
{"".join(f"HostKey {path}{chr(10)}" for path in self.host_keys.values())}AuthorizedKeysFile {authorized}
StrictModes no
PermitRootLogin prohibit-password
AllowUsers {self.user}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PidFile none
LogLevel INFO
{"Subsystem sftp internal-sftp" if sftp else ""}
{extra_config}
""")
        os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation folder
        self.log: list[str] = []
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)],
                                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self._await_listening()
        self._drain = threading.Thread(target=self._read_log, daemon=True)
        self._drain.start()

    @property
    def user(self) -> str:
        import getpass
        return getpass.getuser()

    def _await_listening(self, timeout: float = 15):
        """Reads sshd's log until it says it listens on our port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stderr], [], [], deadline - time.monotonic())
            if not ready:
                break
            line = self.process.stderr.readline()
            if not line:
                break
            self.log.append(line)
            if f"Server listening on 127.0.0.1 port {self.port}" in line:
                return
        self.stop()
        raise RuntimeError("sshd did not start:\n" + "".join(self.log))

    def _read_log(self):
        for line in self.process.stderr:
            self.log.append(line)

    def key_text(self, name: str) -> str:
        return self.keys[name].read_text()

    def host_key_line(self, kind: str | None = None) -> str:
        return Path(f"{self.host_keys[kind] if kind else self.host_key}.pub").read_text().strip()

    def host_fingerprint(self, kind: str | None = None) -> str:
        return fingerprint(Path(f"{self.host_keys[kind] if kind else self.host_key}.pub"))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)
