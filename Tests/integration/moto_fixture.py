"""A moto S3 server on 127.0.0.1 with request authentication switched on: requests must carry a valid
SigV4 signature of an IAM user created through moto's own IAM API."""
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from conftest import free_port
from secret_scan import register_secret

# Requests moto serves before it starts checking signatures: exactly the IAM calls that make our user.
SETUP_ACTIONS = 3

# moto checks a signature against werkzeug's `request.url`, an IRI in which the path's and query's non-ASCII
# letters and reserved characters are already decoded (`naïve`, `a+b`, `prefix=a/b`), so it refuses valid
# signatures of such keys, boto3's included. This runs moto_server with its check given the canonical URI and
# query AWS computes from the request target as sent: each name, value and path segment decoded once and
# encoded again the SigV4 way. Signatures are still checked on every request.
MOTO_SERVER = """
import sys
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from moto.core.authorization import ActionAuthenticatorMixin
from moto.server import main

checked = ActionAuthenticatorMixin._authenticate_and_authorize_action

def canonical_query(query):
    pairs = [pair.partition("=") for pair in query.split("&") if pair]
    return "&".join(quote(unquote(k), safe="-_.~") + "=" + quote(unquote(v), safe="-_.~") for k, _, v in pairs)

def check_as_sent(self, *args, **kwargs):
    environ = getattr(getattr(self, "request", None), "environ", None) or {}
    target = environ.get("RAW_URI")
    if not target:
        return checked(self, *args, **kwargs)
    sent = urlsplit(target.encode("latin-1").decode("utf-8"))
    shown = self.uri
    parts = urlsplit(shown)
    self.uri = urlunsplit((parts.scheme, parts.netloc, quote(unquote(sent.path), safe="/~"), canonical_query(sent.query), ""))
    try:
        return checked(self, *args, **kwargs)
    finally:
        self.uri = shown

ActionAuthenticatorMixin._authenticate_and_authorize_action = check_as_sent
main(sys.argv[1:])
"""
ADMIN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@dataclass
class MotoS3:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen

    def client(self):
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )


def wait_until_answering(process: subprocess.Popen, endpoint: str, deadline: float) -> None:
    """Polls the server's socket until it accepts HTTP, the process dies, or the deadline passes."""
    import urllib.error
    import urllib.request
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("moto_server did not answer in time")


def start_moto(tmp: Path) -> MotoS3:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_ACTIONS), "AWS_DEFAULT_REGION": "us-east-1"}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(name, None)
    log = open(tmp / "moto.log", "wb")
    command = [sys.executable, "-c", MOTO_SERVER]
    process = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_until_answering(process, endpoint, time.monotonic() + 60)
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="service-backup")
        iam.put_user_policy(UserName="service-backup", PolicyName="all", PolicyDocument=ADMIN_POLICY)
        key = iam.create_access_key(UserName="service-backup")["AccessKey"]
    except BaseException:
        process.kill()
        process.wait()
        raise
    register_secret(key["AccessKeyId"], key["SecretAccessKey"], lasting=True)
    return MotoS3(endpoint, key["AccessKeyId"], key["SecretAccessKey"], process)


def stop_moto(moto: MotoS3) -> None:
    moto.process.send_signal(signal.SIGTERM)
    try:
        moto.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        moto.process.kill()
        moto.process.wait()


@pytest.fixture(scope="module")
def moto_s3(tmp_path_factory):
    moto = start_moto(tmp_path_factory.mktemp("moto"))
    yield moto
    stop_moto(moto)
