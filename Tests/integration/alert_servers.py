"""Fake Cloud Foundry peers for the alert tests, on 127.0.0.1: a Cloud Controller (`/cc`), a UAA (`/uaa`),
a notifications service (`/notifications`), a webhook receiver (`/hooks/...`) and a heartbeat endpoint
(`/ping/...`), all on one port. Each checks the credentials it is given the way its real counterpart
would (a wrong one gets 401, an unknown org or space an empty result) and records every request."""
import base64
import datetime
import ipaddress
import json
import ssl
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CC_USER, CC_PASSWORD = "admin", "cc-pass&word s3cret"
CLIENT_ID, CLIENT_SECRET = "notifications-client", "client-s3cret-value"
ORG, SPACE = "test org", "test-space"
ORG_GUID, SPACE_GUID = "org-guid-1", "space-guid-1"
USER_TOKEN, CLIENT_TOKEN = "cf-user-token", "notifications-token"


@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def form(self) -> dict:
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))

    @property
    def json(self):
        return json.loads(self.body)

    def basic_auth(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization", "")
        if not value.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        return user, password


class AlertPeers:
    """The fake peers; `fail[route]` is a list of statuses answered (and consumed) before the real answer."""

    def __init__(self, tls: bool = False):
        self.scheme = "https" if tls else "http"
        self.requests: list[Received] = []
        self.fail: dict[str, list[int]] = {}
        self.changed = threading.Condition()
        peers = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.handle_request()

            def do_POST(self):
                self.handle_request()

            def handle_request(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                received = Received(self.command, url.path, dict(urllib.parse.parse_qsl(url.query)),
                                    {k.lower(): v for k, v in self.headers.items()}, body)
                status, answer = peers.answer(received)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with peers.changed:
                    peers.requests.append(received)
                    peers.changed.notify_all()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            with tempfile.TemporaryDirectory() as folder:
                certificate, key = self_signed_certificate(folder)
                context.load_cert_chain(certificate, key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what each peer answers -----------------------------------------------------------------------

    def route(self, request: Received) -> str:
        return request.path.split("/")[1] if request.path.count("/") > 1 else request.path

    def answer(self, request: Received) -> tuple[int, object]:
        route = self.route(request)
        with self.changed:
            queued = self.fail.get(route) or []
            if queued:
                return queued.pop(0), {"error": "injected failure"}
        bearer = request.headers.get("authorization", "")
        if route == "cc" and request.path == "/cc/v2/info":
            return 200, {"api_version": "2.57.0", "token_endpoint": f"{self.url}/uaa"}
        if route == "uaa" and request.method == "POST" and request.path == "/uaa/oauth/token":
            form = request.form
            if form.get("grant_type") == "password":
                ok = request.basic_auth() == ("cf", "") and (form.get("username"), form.get("password")) == (CC_USER, CC_PASSWORD)
                return (200, {"access_token": USER_TOKEN, "token_type": "bearer"}) if ok else (401, {"error": "unauthorized"})
            if form.get("grant_type") == "client_credentials":
                ok = request.basic_auth() == (CLIENT_ID, CLIENT_SECRET)
                return (200, {"access_token": CLIENT_TOKEN, "token_type": "bearer"}) if ok else (401, {"error": "unauthorized"})
            return 400, {"error": "unsupported_grant_type"}
        if route == "cc" and request.path.startswith("/cc/v2/organizations"):
            if bearer != f"Bearer {USER_TOKEN}":
                return 401, {"error": "invalid token"}
            wanted, guid = (ORG, ORG_GUID) if request.path == "/cc/v2/organizations" else (SPACE, SPACE_GUID)
            if request.path not in ("/cc/v2/organizations", f"/cc/v2/organizations/{ORG_GUID}/spaces"):
                return 404, {"error": "not found"}
            found = request.query.get("q") == f"name:{wanted}"
            resources = [{"metadata": {"guid": guid}, "entity": {"name": wanted}}] if found else []
            return 200, {"total_results": len(resources), "resources": resources}
        if route == "notifications" and request.method == "POST" and request.path == f"/notifications/spaces/{SPACE_GUID}":
            if bearer != f"Bearer {CLIENT_TOKEN}":
                return 401, {"error": "invalid token"}
            return 200, [{"recipient": "space-guid-1", "notification_id": "n-1"}]
        if route in ("hooks", "ping"):
            return 200, {"ok": True}
        return 404, {"error": f"no route {request.method} {request.path}"}

    # --- what the tests read --------------------------------------------------------------------------

    def received(self, route: str | None = None) -> list[Received]:
        with self.changed:
            return [r for r in self.requests if route is None or self.route(r) == route]

    def wait_for(self, predicate, timeout: float = 30, what: str = "requests") -> list[Received]:
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.requests), timeout=timeout):
                raise AssertionError(f"timed out waiting for {what}; received: {[(r.method, r.path) for r in self.requests]}")
            return list(self.requests)

    def wait_for_count(self, route: str, count: int, timeout: float = 30) -> list[Received]:
        self.wait_for(lambda rs: sum(self.route(r) == route for r in rs) >= count, timeout, f"{count} x {route}")
        return self.received(route)

    def cf_alerts_config(self, product: str = "SomeDB", **extra) -> dict:
        """The original's rendered `alerts` block, pointing at these peers."""
        return {"product_name": product, "config": {
            "cloud_controller": {"url": f"{self.url}/cc", "user": CC_USER, "password": CC_PASSWORD},
            "notifications": {"service_url": f"{self.url}/notifications", "cf_org": ORG, "cf_space": SPACE,
                              "reply_to": "ops@example.com", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
            **extra}}


def self_signed_certificate(folder: str) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that nobody trusts, and its key, as PEM files in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
                   .sign(key, hashes.SHA256()))
    certificate_path, key_path = f"{folder}/cert.pem", f"{folder}/key.pem"
    with open(certificate_path, "wb") as out:
        out.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return certificate_path, key_path
