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

# Requests moto serves before it starts checking signatures: exactly the IAM calls that make our user.
SETUP_ACTIONS = 3
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
    moto_server = Path(sys.executable).with_name("moto_server")
    command = [str(moto_server)] if moto_server.exists() else [sys.executable, "-m", "moto.server"]
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
