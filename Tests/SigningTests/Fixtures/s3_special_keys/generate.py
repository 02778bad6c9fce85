"""Writes expected.json: S3 SigV4 signatures computed by botocore (an independent signer) for object keys
with characters that need encoding. Run: python3 generate.py > expected.json"""
import datetime
import hashlib
import json
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "eu-central-1"
HOST = "my-bucket.s3.eu-central-1.amazonaws.com"
WHEN = datetime.datetime(2025, 1, 2, 3, 4, 5)

KEYS = [
    "backups/2025/01/02/a b+c=d&e~f!g'h(i)j*k@l$m%n.tar",
    "données/ünïcødé/日本語 ファイル.gz",
    "x//y/./z/../w",
    "100% sure/#hash?query;semi:colon,comma",
    "emoji 😀/tab\tand newline\n.txt",
]
QUERIES = [
    [],
    [("partNumber", "3"), ("uploadId", "a+b/c=d e~f")],
    [("uploads", "")],
]


def sign(method, key, query, body):
    url = "https://" + HOST + "/" + quote(key, safe="/~")
    if query:
        url += "?" + "&".join(quote(n, safe="-_.~") + "=" + quote(v, safe="-_.~") for n, v in query)
    request = AWSRequest(method=method, url=url, headers={"Content-Type": "application/octet-stream"}, data=body)
    request.context["payload_signing_enabled"] = True
    with mock.patch("botocore.auth.get_current_datetime", return_value=WHEN):
        S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    return request.headers["Authorization"]


cases = []
for key in KEYS:
    for query in QUERIES:
        body = ("body of " + key).encode()
        cases.append({
            "method": "PUT", "key": key, "query": query, "body": body.decode(),
            "payload_hash": hashlib.sha256(body).hexdigest(),
            "authorization": sign("PUT", key, query, body),
        })
print(json.dumps({"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "region": REGION, "host": HOST,
                  "date": WHEN.strftime("%Y%m%dT%H%M%SZ"), "cases": cases}, indent=1, ensure_ascii=False))
