"""The test Blob service judges `x-ms-content-crc64` as the service does: the SDK's own CRC-64 (sent by the
SDK with validate_content="crc64") is accepted, a wrong one is refused with 400 Crc64Mismatch and nothing is
stored; the Python CRC-64 the service falls back to agrees with the published check value and the SDK."""
import base64
import os
import sys
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobServiceClient

sys.path.insert(0, str(Path(__file__).parent))
import azure_crc64  # noqa: E402
from azure_server import BlobServer  # noqa: E402

ACCOUNT = "backupacct"
CONTAINER = "backups"


@pytest.fixture
def container(tmp_path):
    key = base64.b64encode(os.urandom(64)).decode()
    with BlobServer(tmp_path / "blob-service", {ACCOUNT: key}) as server:
        service = BlobServiceClient(server.url(ACCOUNT), credential={"account_name": ACCOUNT, "account_key": key})
        client = service.get_container_client(CONTAINER)
        client.create_container()
        yield server, client


def test_python_crc64_matches_the_check_value_and_the_sdk():
    assert azure_crc64.pure_python_crc64(b"123456789") == azure_crc64.CHECK_VALUE
    assert azure_crc64.pure_python_crc64(b"") == 0
    data = os.urandom(70_000)
    assert azure_crc64.pure_python_crc64(data[1000:], azure_crc64.pure_python_crc64(data[:1000])) == \
        azure_crc64.pure_python_crc64(data)
    sdk = azure_crc64.sdk_crc64()
    if sdk is None:
        pytest.skip("azure-storage-extensions (the SDK's CRC-64) is not installed")
    assert sdk(data, 0) == azure_crc64.pure_python_crc64(data)
    assert sdk(b"123456789", 0) == azure_crc64.CHECK_VALUE


def test_sdk_crc64_is_accepted(container):
    server, client = container
    if azure_crc64.sdk_crc64() is None:
        pytest.skip("azure-storage-extensions (the SDK's CRC-64) is not installed")
    data = os.urandom(300_000)
    client.upload_blob("one", data, validate_content="crc64")
    client.get_blob_client("blocks").stage_block("YmxvY2stMQ==", data, validate_content="crc64")
    assert client.download_blob("one").readall() == data
    assert [e.checksums for e in server.ops("put_blob", 201)] == [("crc64",)]
    assert [e.checksums for e in server.ops("put_block", 201)] == [("crc64",)]


def test_wrong_crc64_is_refused_and_nothing_stored(container):
    server, client = container
    data = os.urandom(5000)
    wrong = base64.b64encode((azure_crc64.crc64(data, 0) ^ 1).to_bytes(8, "little")).decode()
    for put in (lambda: client.upload_blob("one", data, headers={"x-ms-content-crc64": wrong}),
                lambda: client.get_blob_client("two").stage_block("YmxvY2stMQ==", data, headers={"x-ms-content-crc64": wrong})):
        with pytest.raises(HttpResponseError) as refused:
            put()
        assert refused.value.status_code == 400 and refused.value.error_code == "Crc64Mismatch"
    assert server.committed(ACCOUNT, CONTAINER) == {}
    assert len(server.ops("put_blob", 400)) == 1 and len(server.ops("put_block", 400)) == 1
    right = base64.b64encode(azure_crc64.crc64(data, 0).to_bytes(8, "little")).decode()
    client.upload_blob("one", data, headers={"x-ms-content-crc64": right})
    assert client.download_blob("one").readall() == data
