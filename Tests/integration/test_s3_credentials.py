"""S3 credentials without static keys, against moto_server with signature checking: temporary keys with a
`session_token`, and an instance profile's keys from a fake instance metadata service (IMDSv2), renewed
before they expire. moto checks each request's signature and that its session token is the one STS issued
with its key; a proxy in front of moto also refuses a request whose `x-amz-security-token` is missing, was
never issued, or is not among the signed headers."""
import json
import os
import re
import uuid

import boto3
import pytest
from botocore.config import Config

from conftest import assert_no_secrets, log_lines, run_cli, write_manifest
from imds_server import FakeIMDS
from moto_fixture import moto_s3  # noqa: F401  (the fixture)
from s3_proxies import RecordingProxy

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_ANYONE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})


class Role:
    """An IAM role in moto whose temporary keys (STS AssumeRole) moto accepts with their session token."""

    def __init__(self, moto):
        admin = dict(endpoint_url=moto.endpoint, region_name="us-east-1",
                     aws_access_key_id=moto.access_key, aws_secret_access_key=moto.secret_key)
        name = "backup-" + uuid.uuid4().hex[:8]
        iam = boto3.client("iam", **admin)
        self.arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ANYONE)["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=ALLOW_ALL)
        self.sts = boto3.client("sts", **admin)

    def assume(self) -> tuple[str, str, str]:
        keys = self.sts.assume_role(RoleArn=self.arn, RoleSessionName=uuid.uuid4().hex[:12], DurationSeconds=900)["Credentials"]
        return keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"]


@pytest.fixture(scope="module")
def role(moto_s3):
    return Role(moto_s3)


def token_check(issued):
    """The proxy's check of each request: the session token is there, was issued, and is signed."""
    def refuse(method, target, headers):
        token = headers.get("x-amz-security-token")
        if not token:
            return "the request has no x-amz-security-token"
        if token not in issued():
            return "the x-amz-security-token was never issued"
        signed = re.search(r"SignedHeaders=([^,\s]+)", headers.get("authorization", ""))
        if not signed or "x-amz-security-token" not in signed.group(1).split(";"):
            return "x-amz-security-token is not signed"
        return None
    return refuse


@pytest.fixture
def checked_s3(moto_s3):
    """A token-checking proxy in front of moto; `issued` is set by the test to the tokens it hands out."""
    tokens: set[str] = set()
    proxy = RecordingProxy(int(moto_s3.endpoint.rsplit(":", 1)[1]), refuse=token_check(lambda: tokens))
    yield proxy, tokens
    proxy.close()


@pytest.fixture
def imds(role):
    servers = []

    def start(**options):
        server = FakeIMDS(role.assume, **options)
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.close()


def tree(root):
    files = {"dump.rdb": os.urandom(6 << 20), "nested/aof.log": b"appendonly\n", "empty": b""}
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return files


def manifest(tmp_path, source, endpoint, bucket, **credentials):
    return write_manifest(tmp_path, {
        "destinations": [{"type": "s3", "config": {
            "bucket_name": bucket, "bucket_path": "backups", "endpoint_url": endpoint, "part_size": "5MiB",
            "retry_attempts": 1, **credentials}}],
        "source_folder": str(source), "cron_schedule": "@daily",
    })


def uploaded(moto, bucket) -> dict[str, bytes]:
    """The bucket's backed-up objects by path below the day folder, read back with boto3 and the admin keys."""
    client = moto.client()
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {re.sub(r"^backups/\d{4}/\d{2}/\d{2}/", "", key): client.get_object(Bucket=bucket, Key=key)["Body"].read()
            for key in keys if not key.endswith(".manifest.json")}


def run_backup(binary, config, imds=None):
    env = {"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint} if imds else {}
    return run_cli(binary, "backup", config, env=env)


def test_instance_profile_keys_are_fetched_once_signed_and_accepted(binary, tmp_path, moto_s3, checked_s3, imds):
    proxy, _ = checked_s3
    service = imds(lifetime=3600)
    source = tmp_path / "source"
    files = tree(source)
    bucket = "ip-" + uuid.uuid4().hex[:10]
    config = manifest(tmp_path, source, f"http://127.0.0.1:{proxy.port}", bucket, credentials_source="instance_profile")
    # The proxy accepts what the metadata service issued, read when each request goes by.
    proxy.refuse = token_check(lambda: service.tokens)

    result = run_backup(binary, config, service)
    assert result.returncode == 0, result.stdout + result.stderr
    assert uploaded(moto_s3, bucket) == files
    assert len(service.issued) == 1, "keys valid for an hour are fetched once for the whole run"
    assert service.unauthorized == 0
    assert len(proxy.requests) > 5  # bucket, parts, files and the run manifest: each one checked
    assert {headers["x-amz-security-token"] for _, _, headers, _ in proxy.requests} == service.tokens
    issued = service.issued[0]
    assert_no_secrets(result.stdout, result.stderr, secrets=[issued["SecretAccessKey"], issued["Token"]])


def test_keys_close_to_expiry_are_renewed(binary, tmp_path, moto_s3, checked_s3, imds):
    proxy, _ = checked_s3
    # A minute left is inside the renewal margin: every request asks for fresh keys before it is sent.
    service = imds(lifetime=60)
    proxy.refuse = token_check(lambda: service.tokens)
    source = tmp_path / "source"
    files = tree(source)
    bucket = "renew-" + uuid.uuid4().hex[:10]
    config = manifest(tmp_path, source, f"http://127.0.0.1:{proxy.port}", bucket, credentials_source="instance_profile")

    result = run_backup(binary, config, service)
    assert result.returncode == 0, result.stdout + result.stderr
    assert uploaded(moto_s3, bucket) == files
    used = [headers["x-amz-security-token"] for _, _, headers, _ in proxy.requests]
    assert len(service.issued) >= 2 and len(set(used)) >= 2, "the keys were not renewed"
    assert set(used) <= service.tokens
    assert_no_secrets(result.stdout, result.stderr, secrets=[d["Token"] for d in service.issued]
                      + [d["SecretAccessKey"] for d in service.issued])


def test_a_session_token_in_the_manifest_is_sent_and_signed(binary, tmp_path, moto_s3, checked_s3, role):
    proxy, tokens = checked_s3
    key, secret, token = role.assume()
    tokens.add(token)
    source = tmp_path / "source"
    files = tree(source)
    bucket = "sts-" + uuid.uuid4().hex[:10]
    config = manifest(tmp_path, source, f"http://127.0.0.1:{proxy.port}", bucket,
                      access_key_id=key, secret_access_key=secret, session_token=token)
    result = run_backup(binary, config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert uploaded(moto_s3, bucket) == files
    assert all(headers["x-amz-security-token"] == token for _, _, headers, _ in proxy.requests)
    assert_no_secrets(result.stdout, result.stderr, secrets=[secret, token])


def test_a_wrong_session_token_is_refused_by_s3_with_a_clear_error(binary, tmp_path, moto_s3, role):
    key, secret, token = role.assume()
    wrong = token[:-8] + "AAAAAAAA"
    source = tmp_path / "source"
    tree(source)
    config = manifest(tmp_path, source, moto_s3.endpoint, "wrong-" + uuid.uuid4().hex[:10],
                      access_key_id=key, secret_access_key=secret, session_token=wrong)
    result = run_backup(binary, config)
    assert result.returncode == 2
    error = log_lines(result.stdout)[-1]
    assert error["message"].endswith("completed with error")
    assert "InvalidToken" in error["data"]["error"]
    assert_no_secrets(result.stdout, result.stderr, secrets=[secret, token, wrong])


def test_an_instance_without_a_role_is_a_clear_error(binary, tmp_path, moto_s3, imds):
    service = imds(role="")
    source = tmp_path / "source"
    tree(source)
    config = manifest(tmp_path, source, moto_s3.endpoint, "norole-" + uuid.uuid4().hex[:10],
                      credentials_source="instance_profile")
    result = run_backup(binary, config, service)
    assert result.returncode == 2
    error = log_lines(result.stdout)[-1]["data"]["error"]
    assert "no instance profile credentials" in error and service.endpoint in error
    assert "IAM role" in error


# --- the manifest and the BOSH job --------------------------------------------------------------------------

def validate(binary, tmp_path, config: dict):
    path = write_manifest(tmp_path, {"destinations": [{"type": "s3", "config": {
        "bucket_name": "b", "bucket_path": "p", **config}}], "source_folder": "/x", "cron_schedule": "@daily"})
    return run_cli(binary, "validate", path)


def test_an_instance_profile_needs_no_static_keys(binary, tmp_path):
    assert validate(binary, tmp_path, {"credentials_source": "instance_profile"}).returncode == 0
    plain = validate(binary, tmp_path, {})
    assert plain.returncode == 2
    assert "Invalid config - Missing values for s3: access_key_id, secret_access_key." in plain.stderr


def test_static_keys_beside_an_instance_profile_are_refused(binary, tmp_path):
    result = validate(binary, tmp_path, {"credentials_source": "instance_profile", "access_key_id": "AKIAEXAMPLE"})
    assert result.returncode == 2
    assert "access_key_id must be empty when credentials_source is instance_profile" in result.stderr
    assert "AKIAEXAMPLE" not in result.stderr
    unknown = validate(binary, tmp_path, {"credentials_source": "environment"})
    assert unknown.returncode == 2 and "credentials_source must be one of static, instance_profile" in unknown.stderr


def test_the_bosh_job_accepts_an_instance_profile(tmp_path):
    from test_bosh_job import render
    properties = {"destinations": [{"type": "s3", "config": {
        "bucket_name": "b", "bucket_path": "p", "credentials_source": "instance_profile"}}],
        "source_folder": "/x", "cron_schedule": "@daily"}
    result = render(tmp_path, "templates/backup.yml.erb", properties)
    assert result.returncode == 0, result.stderr
    properties["destinations"][0]["config"]["credentials_source"] = "static"
    refused = render(tmp_path, "templates/backup.yml.erb", properties)
    assert refused.stderr.splitlines()[0] == "Invalid config - Missing values for s3: access_key_id, secret_access_key."
