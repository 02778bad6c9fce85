"""Shared helpers for the integration tests: they run the built `service-backup` binary against real peers."""
import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def binary_path() -> Path:
    return Path(os.environ.get("SERVICE_BACKUP_BIN", ROOT / ".build" / "debug" / "service-backup"))


@pytest.fixture(scope="session")
def binary() -> Path:
    path = binary_path()
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make build` first")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_manifest(folder: Path, manifest: dict, name: str = "backup.yml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    register_manifest_secrets(manifest, path)
    return path


def run_cli(binary: Path, *args, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    record_binary_started()
    result = subprocess.run(
        [str(binary), *map(str, args)],
        capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    record_output(result.stdout, result.stderr)
    return result


# The secret scan (secret_scan.py): every test's binary output and the files the binary leaves, checked for
# every configured secret after the test.
from secret_scan import (  # noqa: E402
    record_binary_started, record_output, register_manifest_secrets, register_secret, secrets_never_leak,  # noqa: F401
)


def log_lines(stdout: str) -> list[dict]:
    """Every stdout line parsed as a JSON log line; a line that is not JSON fails the test."""
    lines = []
    for raw in stdout.splitlines():
        if raw.strip():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                pytest.fail(f"stdout line is not a JSON log line: {raw!r}")
    return lines


def messages(stdout: str) -> list[str]:
    return [line["message"] for line in log_lines(stdout)]


def assert_no_secrets(*outputs: str, secrets: list[str]) -> None:
    """No secret, nor a long piece of one (a key's PEM body line), appears in any output."""
    for secret in secrets:
        pieces = {secret.strip()} | {line.strip() for line in secret.splitlines() if len(line.strip()) >= 16}
        for output in outputs:
            for piece in pieces:
                assert piece not in output, "a secret value appeared in the output"


def conformance_binary() -> Path:
    return Path(os.environ.get("STORE_CONFORMANCE_BIN", binary_path().parent / "store-conformance"))


def run_conformance(manifest: Path, large_size: int = 3 << 20, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs the store conformance suite against every destination of `manifest`; fails the test when a check fails."""
    result = subprocess.run(
        [str(conformance_binary()), str(manifest), "--large-size", str(large_size)],
        capture_output=True, text=True, timeout=timeout,
    )
    assert result.returncode == 0, f"conformance failed:\n{result.stdout}\n{result.stderr}"
    return result
