"""The S3 store on its own against moto (signature checking on): the conformance suite, stale multipart
uploads, and the checksums every upload carries."""
import base64
import re
from pathlib import Path

from conftest import assert_no_secrets, run_conformance, write_manifest
from moto_fixture import moto_s3  # noqa: F401  (the fixture)
from s3_proxies import RecordingProxy
from test_s3 import PART, new_bucket, objects, s3_manifest


def conformance_manifest(tmp_path, moto, bucket: str, **config) -> Path:
    data = s3_manifest(moto, tmp_path, bucket, **config)
    data["destinations"][0]["config"]["bucket_path"] = config.get("bucket_path", "backups/with space/naïve")
    return write_manifest(tmp_path, data)


def test_s3_store_conforms_in_a_bucket_it_creates(tmp_path, moto_s3):
    """Region discovered, bucket created, a large file in three 5 MiB parts, keys with spaces and unicode."""
    client = moto_s3.client()
    bucket = new_bucket()

    result = run_conformance(conformance_manifest(tmp_path, moto_s3, bucket), large_size=2 * PART + 12345)

    assert "conformance passed: s3 destination moto" in result.stdout
    assert objects(client, bucket) == {}
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert_no_secrets(result.stdout, result.stderr, secrets=[moto_s3.secret_key, moto_s3.access_key])


def test_s3_store_conforms_with_one_request_at_a_time_at_the_bucket_root(tmp_path, moto_s3):
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    run_conformance(conformance_manifest(tmp_path, moto_s3, bucket, bucket_path="/", region="eu-west-1", concurrency=1),
                    large_size=PART + 1)

    assert objects(client, bucket) == {}


def test_stale_multipart_uploads_under_the_base_path_are_aborted(tmp_path, moto_s3):
    """The conformance suite removes stale uploads: those under bucket_path go, others stay (moto dates every upload 2010)."""
    client = moto_s3.client()
    bucket = new_bucket()
    client.create_bucket(Bucket=bucket)
    stale = client.create_multipart_upload(Bucket=bucket, Key="base/2020/01/01/dump + more.tar")["UploadId"]
    other = client.create_multipart_upload(Bucket=bucket, Key="elsewhere/dump.tar")["UploadId"]

    run_conformance(conformance_manifest(tmp_path, moto_s3, bucket, bucket_path="base"))

    left = {(u["Key"], u["UploadId"]) for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])}
    assert ("base/2020/01/01/dump + more.tar", stale) not in left
    assert left == {("elsewhere/dump.tar", other)}


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c_b64(data: bytes) -> str:
    """CRC-32C computed here, bit by bit from its polynomial, independent of the tool's own code."""
    crc = 0xFFFFFFFF
    table = CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return base64.b64encode((crc ^ 0xFFFFFFFF).to_bytes(4, "big")).decode()


def test_crc32c_reference_matches_the_published_check_value():
    assert crc32c_b64(b"123456789") == base64.b64encode(bytes.fromhex("e3069283")).decode()


def test_every_upload_carries_the_crc32c_of_its_bytes(tmp_path, moto_s3):
    """moto checks no checksum (it echoes the header), so the requests are checked here: each PUT's
    x-amz-checksum-crc32c is its body's and its payload is unsigned (no SHA-256 of the bytes besides the run
    manifest's), multipart uploads ask for CRC32C and complete with each part's checksum, and nothing is read
    back with HEAD."""
    bucket = new_bucket()
    proxy = RecordingProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]))
    try:
        run_conformance(conformance_manifest(tmp_path, moto_s3, bucket, endpoint_url=f"http://127.0.0.1:{proxy.port}"),
                        large_size=2 * PART + 12345)
    finally:
        proxy.close()

    puts = [(path, headers, body) for method, path, headers, body in proxy.requests if method == "PUT" and "/conformance-" in path]
    assert len(puts) > 10
    for path, headers, body in puts:
        assert headers.get("x-amz-checksum-crc32c") == crc32c_b64(body), path
        assert headers.get("x-amz-sdk-checksum-algorithm") == "CRC32C", path
        assert headers.get("x-amz-content-sha256") == "UNSIGNED-PAYLOAD", path
    parts = {int(re.search(r"partNumber=(\d+)", path).group(1)): headers["x-amz-checksum-crc32c"]
             for path, headers, _ in puts if "partNumber=" in path}
    assert sorted(parts) == [1, 2, 3]
    starts = [headers for method, path, headers, _ in proxy.requests if method == "POST" and path.endswith("?uploads=")]
    assert [headers.get("x-amz-checksum-algorithm") for headers in starts] == ["CRC32C"]
    completions = [body.decode() for method, path, _, body in proxy.requests if method == "POST" and "uploadId=" in path]
    assert len(completions) == 1
    assert re.findall(r"<ChecksumCRC32C>([^<]+)</ChecksumCRC32C>", completions[0]) == [parts[1], parts[2], parts[3]]
    # The suite stats fewer objects than it puts: a store that HEADed each object after its put would show more.
    objects_put = len([p for p, _, _ in puts if "partNumber=" not in p]) + len(starts)
    heads = [path for method, path, _, _ in proxy.requests if method == "HEAD" and "/conformance-" in path]
    assert len(heads) < objects_put
