"""No configured secret ever appears in what the binary prints or the files it leaves.

Every manifest a test writes through `write_manifest` registers its secret settings; fixtures and tests register
others with `register_secret` (moto's keys, an Azure account key, an SSH private key's body). `run_cli` and
`DaemonProcess` record what the binary printed; `record_output` takes any other capture. After each test the
autouse fixture `secrets_never_leak` scans those outputs and every file below the test's `tmp_path` written since
the binary first ran (manifests the test wrote aside) and fails the test naming where a secret appeared, never
the secret itself."""
import os
import stat
import time
from pathlib import Path

import pytest

# Manifest keys whose values are secrets (ManifestSchema's `secret: true` keys, by their last name).
SECRET_KEYS = {"access_key_id", "secret_access_key", "storage_access_key", "key", "password", "client_secret",
               "private_key", "token"}
# Long files are source data or downloads: scanned up to this many bytes.
SCAN_LIMIT = 8 << 20


class _State:
    def __init__(self):
        self.reset()

    def reset(self):
        self.secrets: set[str] = set()
        self.outputs: list[tuple[str, str]] = []
        self.written: set[Path] = set()
        self.started: float | None = None


STATE = _State()
# Secrets of long-lived fixtures (a module's moto server), kept across tests.
LASTING: set[str] = set()


def register_secret(*values: str, lasting: bool = False) -> None:
    """Adds secret values to scan for: the value, and each long line of a multi-line one (a key's PEM body)."""
    for value in values:
        if not isinstance(value, str) or len(value.strip()) < 8:
            continue
        pieces = {value.strip()} | {line.strip() for line in value.splitlines()
                                    if len(line.strip()) >= 16 and not line.strip().startswith("-----")}
        (LASTING if lasting else STATE.secrets).update(pieces)


def register_manifest_secrets(manifest, path: Path | None = None) -> None:
    if path is not None:
        STATE.written.add(Path(path).resolve())

    def walk(node):
        if isinstance(node, dict):
            for name, value in node.items():
                if isinstance(name, str) and name in SECRET_KEYS and isinstance(value, str):
                    register_secret(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(manifest)


def record_binary_started() -> None:
    if STATE.started is None:
        STATE.started = time.time() - 1


def record_output(*outputs: str, source: str = "binary output") -> None:
    for output in outputs:
        if output:
            STATE.outputs.append((source, output))


def _hits(tmp_path: Path | None) -> list[str]:
    secrets = STATE.secrets | LASTING
    if not secrets:
        return []
    found = []
    for source, output in STATE.outputs:
        if any(secret in output for secret in secrets):
            found.append(source)
    if tmp_path is not None and STATE.started is not None:
        encoded = [secret.encode() for secret in secrets]
        for root, _, names in os.walk(tmp_path):
            for name in names:
                path = Path(root) / name
                try:
                    status = path.lstat()
                    # Regular files only: opening a FIFO a test left would wait for a writer forever.
                    if not stat.S_ISREG(status.st_mode) or path.resolve() in STATE.written or status.st_mtime < STATE.started:
                        continue
                    with open(path, "rb") as handle:
                        data = handle.read(SCAN_LIMIT)
                except OSError:
                    continue
                if any(secret in data for secret in encoded):
                    found.append(str(path))
    return found


@pytest.fixture(autouse=True)
def secrets_never_leak(request):
    STATE.reset()
    # Asked for before the test, so the folder outlives this fixture's check.
    tmp_path = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    hits = _hits(tmp_path)
    STATE.reset()
    if hits:
        pytest.fail("a configured secret appeared in: " + ", ".join(hits), pytrace=False)
