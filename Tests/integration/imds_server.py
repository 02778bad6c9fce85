"""A fake EC2 instance metadata service (IMDSv2 only) on 127.0.0.1, the tests' own: a session token by
`PUT /latest/api/token`, then, with that token, the role name and the role's temporary credentials, issued
by `issue()` (moto's STS AssumeRole in the tests) with an `Expiration` `lifetime` seconds away."""
import datetime
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIALS = "/latest/meta-data/iam/security-credentials/"


class FakeIMDS:
    def __init__(self, issue, role: str = "backup-role", lifetime: float = 3600):
        self.issue = issue
        self.role = role
        self.lifetime = lifetime
        self.lock = threading.Lock()
        self.session_tokens: set[str] = set()
        self.issued: list[dict] = []  # each set of credentials handed out, with its Expiration
        self.unauthorized = 0  # requests without a valid session token
        imds = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status: int, body: str = "", content_type: str = "text/plain"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
                if self.path != "/latest/api/token" or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                    return self.answer(400)
                token = secrets.token_urlsafe(32)
                with imds.lock:
                    imds.session_tokens.add(token)
                self.answer(200, token)

            def do_GET(self):
                with imds.lock:
                    authorized = self.headers.get("X-aws-ec2-metadata-token") in imds.session_tokens
                    imds.unauthorized += not authorized
                if not authorized:
                    return self.answer(401)
                if self.path == CREDENTIALS:
                    return self.answer(200, imds.role) if imds.role else self.answer(404)
                if imds.role and self.path == CREDENTIALS + imds.role:
                    return self.answer(200, json.dumps(imds.credentials()), "application/json")
                self.answer(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def credentials(self) -> dict:
        key, secret, token = self.issue()
        expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.lifetime)
        document = {
            "Code": "Success", "LastUpdated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Type": "AWS-HMAC", "AccessKeyId": key, "SecretAccessKey": secret, "Token": token,
            "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        with self.lock:
            self.issued.append(document)
        return document

    @property
    def tokens(self) -> set[str]:
        with self.lock:
            return {document["Token"] for document in self.issued}

    def close(self):
        self.server.shutdown()
        self.server.server_close()
