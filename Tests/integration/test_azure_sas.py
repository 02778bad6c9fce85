"""The azure destination with a shared access signature (`sas_token`) instead of the account key, against the
test Blob service, which checks each SAS by the azure-storage-blob SDK's own signing code (azure_sas.py). The
SAS is made by the SDK's `generate_container_sas`; what arrived is read back with the SDK and the account key."""
import datetime
import os
import sys
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import ContainerClient, ContainerSasPermissions, generate_container_sas

sys.path.insert(0, str(Path(__file__).parent))
from azure_server import BlobServer  # noqa: E402
from conftest import assert_no_secrets, log_lines, run_cli, write_manifest  # noqa: E402
from test_azure import ACCOUNT, CONTAINER, key, server  # noqa: E402,F401  (the fixtures)
from test_azure import sdk as container  # noqa: E402  (the container, with the account key)


def sas(key: str, expires_in: float = 3600, permission: str = "rwdl") -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return generate_container_sas(
        ACCOUNT, CONTAINER, account_key=key, permission=ContainerSasPermissions.from_string(permission),
        start=now - datetime.timedelta(minutes=5), expiry=now + datetime.timedelta(seconds=expires_in))


def manifest(tmp_path: Path, source: Path, server: BlobServer, **credentials) -> Path:
    config = {"storage_account": ACCOUNT, "container": CONTAINER, "path": "redis", "endpoint": server.url(ACCOUNT),
              "block_size": "1MiB", "retry_attempts": 1, **credentials}
    return write_manifest(tmp_path, {"destinations": [{"type": "azure", "config": config}],
                                     "source_folder": str(source), "cron_schedule": "@daily"})


def tree(source: Path) -> dict[str, bytes]:
    files = {"dump.rdb": os.urandom(3 * (1 << 20) + 17), "nested/small.txt": b"small\n", "empty": b""}
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    return files


def uploaded(server, key) -> dict[str, bytes]:
    client = container(server, key)
    day = f"redis/{datetime.date.today():%Y/%m/%d}/"
    return {blob.name.removeprefix(day): client.download_blob(blob.name).readall()
            for blob in client.list_blobs() if not blob.name.endswith(".manifest.json")}


def test_the_test_service_judges_a_sas_as_the_sdk_makes_it(server, key):
    container(server, key).create_container()
    good = ContainerClient(server.url(ACCOUNT), CONTAINER, credential=sas(key))
    good.upload_blob("probe", b"probe")
    assert [b.name for b in good.list_blobs()] == ["probe"]
    wrong = ContainerClient(server.url(ACCOUNT), CONTAINER, credential=sas(key, permission="rwdlc") + "x")
    with pytest.raises(HttpResponseError) as refused:
        wrong.upload_blob("other", b"x")
    assert refused.value.status_code == 403
    read_only = ContainerClient(server.url(ACCOUNT), CONTAINER, credential=sas(key, permission="rl"))
    with pytest.raises(HttpResponseError) as mismatch:
        read_only.upload_blob("other", b"x")
    assert mismatch.value.error_code == "AuthorizationPermissionMismatch"


@pytest.mark.parametrize("leading", ["", "?"], ids=["bare", "with-question-mark"])
def test_a_container_sas_backs_up_into_an_existing_container(tmp_path, binary, server, key, leading):
    container(server, key).create_container()
    source = tmp_path / "source"
    files = tree(source)
    token = sas(key)
    config = manifest(tmp_path, source, server, sas_token=leading + token)
    result = run_cli(binary, "backup", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert uploaded(server, key) == files
    # The container SAS may not create its container: that 403 is passed over, and the upload goes on.
    assert server.ops("create_container", 403)
    assert server.ops("put_block_list", 201)
    verified = run_cli(binary, "verify", config, "--read-data")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    signature = dict(part.split("=", 1) for part in token.split("&"))["sig"]
    assert_no_secrets(result.stdout, result.stderr, verified.stdout, verified.stderr, secrets=[token, signature])


@pytest.mark.parametrize("case", ["wrong signature", "expired"])
def test_a_refused_sas_is_a_clear_error_that_shows_no_token(tmp_path, binary, server, key, case):
    container(server, key).create_container()
    source = tmp_path / "source"
    tree(source)
    token = sas(key) if case == "wrong signature" else sas(key, expires_in=-60)
    if case == "wrong signature":
        fields = dict(part.split("=", 1) for part in token.split("&"))
        token = token.replace(fields["sig"], "A" * 43 + "%3D")
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, sas_token=token))
    assert result.returncode == 2
    error = log_lines(result.stdout)[-1]
    assert error["message"].endswith("Upload backup completed with error")
    assert "shared access signature" in error["data"]["error"] and "sas_token" in error["data"]["error"]
    assert "HTTP 403" in error["data"]["error"]
    assert not list(container(server, key).list_blobs())
    signature = dict(part.split("=", 1) for part in token.split("&"))["sig"]
    assert_no_secrets(result.stdout, result.stderr, secrets=[token, signature])


def test_a_missing_container_is_named(tmp_path, binary, server, key):
    source = tmp_path / "source"
    tree(source)
    result = run_cli(binary, "backup", manifest(tmp_path, source, server, sas_token=sas(key)))
    assert result.returncode == 2
    assert "ContainerNotFound" in log_lines(result.stdout)[-1]["data"]["error"]


# --- the manifest and the BOSH job --------------------------------------------------------------------------

def validate(binary, tmp_path, config: dict):
    path = write_manifest(tmp_path, {"destinations": [{"type": "azure", "config": {
        "storage_account": ACCOUNT, "container": CONTAINER, "path": "p", **config}}],
        "source_folder": "/x", "cron_schedule": "@daily"})
    return run_cli(binary, "validate", path)


def test_a_sas_token_replaces_the_account_key(binary, tmp_path, key):
    assert validate(binary, tmp_path, {"sas_token": "?sv=2021&sig=abc"}).returncode == 0
    plain = validate(binary, tmp_path, {})
    assert plain.returncode == 2
    assert "Invalid config - Missing values for azure: storage_access_key." in plain.stderr
    both = validate(binary, tmp_path, {"sas_token": "sv=2021&sig=abcdefgh", "storage_access_key": key})
    assert both.returncode == 2
    assert "storage_access_key must be empty when sas_token is given" in both.stderr
    assert_no_secrets(both.stdout, both.stderr, secrets=[key, "sv=2021&sig=abcdefgh"])


def test_the_bosh_job_accepts_a_sas_token(tmp_path):
    from test_bosh_job import render
    properties = {"destinations": [{"type": "azure", "config": {
        "storage_account": ACCOUNT, "container": CONTAINER, "path": "p", "sas_token": "sv=2021&sig=abc"}}],
        "source_folder": "/x", "cron_schedule": "@daily"}
    assert render(tmp_path, "templates/backup.yml.erb", properties).returncode == 0
    del properties["destinations"][0]["config"]["sas_token"]
    refused = render(tmp_path, "templates/backup.yml.erb", properties)
    assert refused.stderr.splitlines()[0] == "Invalid config - Missing values for azure: storage_access_key."
