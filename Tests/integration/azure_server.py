"""A small Azure Blob service for the tests: path-style addressing like Azurite
(`http://127.0.0.1:PORT/<account>/<container>/<blob>`), blobs stored on disk.

Implements Create Container, Put Blob, Put Block, Put Block List, Get Blob (streamed, with ranges), Get Blob
Properties, Delete Blob and List Blobs (prefix, maxresults, opaque NextMarker paging; names XML-escaped, or
percent-encoded with `Encoded="true"` when XML cannot carry them). Uncommitted blocks are invisible until a
block list commits them (the operations live in azure_blob_operations.py).
`Content-MD5` is checked on Put Blob and Put Block (400 Md5Mismatch), and so is `x-ms-content-crc64`
(400 Crc64Mismatch; computed by azure_crc64.py with the SDK's own CRC-64 code); each event records which
of the two the request carried.

Every request's SharedKey signature is checked by the official azure-storage-blob SDK's own
SharedKeyCredentialPolicy, run on the request as received: a mismatch answers 403
AuthenticationFailed, as does an `x-ms-date` more than 15 minutes off. A request carrying a shared access
signature instead is checked by azure_sas.py, again with the SDK's own code.

Tests start it in-process (`BlobServer(...).start()`), or run it as a process:
`python3 azure_server.py --root DIR --account NAME --key BASE64 [--port N]` (prints the port).
"""
from __future__ import annotations

import argparse
import base64
import email.utils
import hashlib
import hmac
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.transport import HttpRequest
from azure.storage.blob._shared.authentication import SharedKeyCredentialPolicy

from azure_crc64 import Crc64
from azure_blob_operations import CHUNK, BlobError, BlobOperations, Container, Event, http_date
import azure_sas

MAX_SKEW = 15 * 60


class _Recorder(SharedKeyCredentialPolicy):
    """The SDK's policy; remembers the string it signed."""

    def _add_authorization_header(self, request, string_to_sign):
        self.string_to_sign = string_to_sign
        super()._add_authorization_header(request, string_to_sign)


def sdk_authorization(account: str, key: str, method: str, url: str, headers: list[tuple[str, str]]) -> tuple[str, str]:
    """The Authorization header the SDK computes for this request, and the string it signed."""
    request = HttpRequest(method, url, headers={k: v for k, v in headers if k.lower() != "authorization"})
    policy = _Recorder(account, key)
    policy.on_request(PipelineRequest(request, PipelineContext(None)))
    return request.headers["Authorization"], policy.string_to_sign


class _QuietServer(ThreadingHTTPServer):
    """Clients that drop their connection (a killed upload) are expected here: no traceback for them."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class BlobServer:
    def __init__(self, root: Path, accounts: dict[str, str], port: int = 0):
        self.root = Path(root)
        self.accounts = dict(accounts)
        self.containers: dict[tuple[str, str], Container] = {}
        self.lock = threading.RLock()  # reentrant: wait_for predicates call ops() under it
        self.changed = threading.Condition(self.lock)
        self.events: list[Event] = []
        # op -> list of (status, code) answered, one each, before the op runs normally
        self.faults: dict[str, list[tuple[int, str]]] = {}
        # when set, Put Block requests past `gate_after` wait for it before storing anything
        self.gate: threading.Event | None = None
        self.gate_after = 0
        # the most blobs one List Blobs page holds, whatever maxresults asks (the service may return fewer)
        self.page_size = 5000
        # seconds added to this service's clock, to play a client whose clock is off
        self.clock_offset = 0.0
        self.waiting_at_gate = 0
        self.active_blocks = 0
        self.most_active_blocks = 0
        self.httpd = _QuietServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.blob_server = self  # type: ignore[attr-defined]
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, account: str) -> str:
        return f"http://127.0.0.1:{self.port}/{account}"

    def start(self) -> "BlobServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.gate:
            self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()

    # Hooks for tests.

    def hold_blocks_after(self, count: int) -> threading.Event:
        """Put Block requests after the first `count` wait until the returned event is set."""
        with self.lock:
            self.gate = threading.Event()
            self.gate_after = count
            return self.gate

    def inject(self, op: str, status: int, code: str, times: int = 1) -> None:
        with self.lock:
            self.faults.setdefault(op, []).extend([(status, code)] * times)

    def wait_for(self, predicate, timeout: float = 60) -> None:
        """Waits until `predicate(server)` holds (checked whenever a request changes something)."""
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self), timeout=timeout):
                raise TimeoutError("the blob server never reached the awaited state")

    def ops(self, op: str, status: int | None = None) -> list[Event]:
        with self.lock:
            return [e for e in self.events if e.op == op and (status is None or e.status == status)]

    def committed(self, account: str, container: str) -> dict[str, int]:
        with self.lock:
            c = self.containers.get((account, container))
            return {name: blob.size for name, blob in c.blobs.items()} if c else {}

    def uncommitted(self, account: str, container: str, blob: str) -> int:
        with self.lock:
            c = self.containers.get((account, container))
            return len(c.blocks.get(blob, {})) if c else 0

    def _record(self, event: Event) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def _fault(self, op: str) -> tuple[int, str] | None:
        with self.lock:
            queue = self.faults.get(op)
            return queue.pop(0) if queue else None


class _Handler(BlobOperations, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TestBlobService/1.0"

    def log_message(self, *args):  # quiet
        pass

    @property
    def blob_server(self) -> BlobServer:
        return self.server.blob_server  # type: ignore[attr-defined]

    def do_PUT(self):
        self._dispatch()

    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    # Plumbing.

    def _dispatch(self):
        self.request_id = str(uuid.uuid4())
        self.body_consumed = False
        self.checksums: tuple[str, ...] = ()
        op, container, blob = "unknown", "", None
        try:
            parts = urlsplit(self.path)
            segments = parts.path.split("/", 3)  # '', account, container, blob
            account = unquote(segments[1]) if len(segments) > 1 else ""
            container = unquote(segments[2]) if len(segments) > 2 else ""
            blob = unquote(segments[3]) if len(segments) > 3 and segments[3] else None
            self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
            op = self._operation(container, blob)
            self._authenticate(account, op, container, blob)
            fault = self.blob_server._fault(op)
            if fault:
                raise BlobError(fault[0], fault[1], "Injected failure.")
            handler = getattr(self, "_" + op)
            status = handler(account, container, blob)
            self.blob_server._record(Event(op, container, blob, self.query.get("blockid"), status, self.checksums))
        except BlobError as error:
            self.blob_server._record(Event(op, container, blob, self.query.get("blockid") if hasattr(self, "query") else None, error.status,
                                           self.checksums))
            self._drain()
            self._error(error)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _operation(self, container: str, blob: str | None) -> str:
        method, comp, restype = self.command, self.query.get("comp"), self.query.get("restype")
        if blob is None:
            if method == "PUT" and restype == "container" and comp is None:
                return "create_container"
            if method == "GET" and restype == "container" and comp == "list":
                return "list_blobs"
            if method in ("GET", "HEAD") and restype == "container":
                return "container_properties"
        else:
            if method == "PUT" and comp is None:
                return "put_blob"
            if method == "PUT" and comp == "block":
                return "put_block"
            if method == "PUT" and comp == "blocklist":
                return "put_block_list"
            if method == "GET" and comp is None:
                return "get_blob"
            if method == "HEAD" and comp is None:
                return "get_blob_properties"
            if method == "DELETE" and comp is None:
                return "delete_blob"
        raise BlobError(400, "UnsupportedHttpVerb" if method not in ("GET", "PUT", "HEAD") else "InvalidQueryParameterValue",
                        f"This test service does not implement {method} {self.path}.")

    def _authenticate(self, account: str, op: str = "", container: str = "", blob: str | None = None) -> None:
        key = self.blob_server.accounts.get(account)
        if key is None:
            raise BlobError(400, "InvalidResourceName", "The specifed resource name contains invalid characters.")
        if azure_sas.is_sas(self.query) and "Authorization" not in self.headers:
            return azure_sas.check(account, key, op, container, blob, self.query, time.time() + self.blob_server.clock_offset)
        given = self.headers.get("Authorization", "")
        url = f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}"
        expected, string_to_sign = sdk_authorization(account, key, self.command, url, list(self.headers.items()))
        if not hmac.compare_digest(given.encode(), expected.encode()):
            signature = given.rpartition(":")[2]
            raise BlobError(
                403, "AuthenticationFailed",
                "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
                f"The MAC signature found in the HTTP request '{signature}' is not the same as any computed signature. "
                f"Server used following string to sign: '{string_to_sign}'.",
            )
        date = self.headers.get("x-ms-date") or self.headers.get("Date")
        parsed = email.utils.parsedate_to_datetime(date).timestamp() if date else None
        now = time.time() + self.blob_server.clock_offset
        if parsed is None or parsed < now - MAX_SKEW:
            raise BlobError(403, "AuthenticationFailed", "Server failed to authenticate the request.",
                            f"Request date header too old: '{date}'")
        if parsed > now + MAX_SKEW:
            raise BlobError(403, "AuthenticationFailed", "Server failed to authenticate the request.",
                            f"Request date header is in the future: '{date}'")

    def _content_length(self) -> int:
        value = self.headers.get("Content-Length")
        if value is None:
            if self.command == "PUT":
                raise BlobError(411, "MissingContentLengthHeader", "Content-Length HTTP header is missing.")
            return 0
        return int(value)

    def _drain(self) -> None:
        if self.body_consumed:
            return
        self.body_consumed = True
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            chunk = self.rfile.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)

    def _receive(self, target: Path) -> tuple[int, str]:
        """Streams the body to `target`; returns its size and base64 MD5, checked against Content-MD5 and
        against x-ms-content-crc64 when sent."""
        length = self._content_length()
        self.body_consumed = True
        digest = hashlib.md5()
        sent_crc = self.headers.get("x-ms-content-crc64")
        crc = Crc64() if sent_crc is not None else None
        with open(target, "wb") as out:
            remaining = length
            while remaining > 0:
                chunk = self.rfile.read(min(CHUNK, remaining))
                if not chunk:
                    raise ConnectionError("client went away mid-body")
                digest.update(chunk)
                if crc:
                    crc.update(chunk)
                out.write(chunk)
                remaining -= len(chunk)
        md5 = base64.b64encode(digest.digest()).decode()
        sent = self.headers.get("Content-MD5")
        self.checksums = tuple(name for name, value in (("md5", sent), ("crc64", sent_crc)) if value is not None)
        if sent is not None and sent != md5:
            target.unlink(missing_ok=True)
            raise BlobError(400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
        if crc and sent_crc != crc.header():
            target.unlink(missing_ok=True)
            raise BlobError(400, "Crc64Mismatch",
                            "The CRC64 value specified in the request did not match with the CRC64 value calculated by the server.")
        return length, md5

    def _read_small_body(self, limit: int = 16 << 20) -> bytes:
        length = self._content_length()
        if length > limit:
            raise BlobError(413, "RequestBodyTooLarge", "The request body is too large.")
        self.body_consumed = True
        return self.rfile.read(length)

    def _send(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"", length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("x-ms-request-id", self.request_id)
        self.send_header("x-ms-version", self.headers.get("x-ms-version", "2021-12-02"))
        self.send_header("Date", http_date(time.time() + self.blob_server.clock_offset))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _error(self, error: BlobError) -> None:
        detail = f"<AuthenticationErrorDetail>{escape(error.detail)}</AuthenticationErrorDetail>" if error.detail else ""
        body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{error.code}</Code>'
                f"<Message>{escape(error.message)}\nRequestId:{self.request_id}\nTime:{http_date(time.time())}</Message>"
                f"{detail}</Error>").encode()
        self._send(error.status, {"x-ms-error-code": error.code, "Content-Type": "application/xml"},
                   b"" if self.command == "HEAD" else body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--key", required=True, help="base64 account key")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = BlobServer(Path(args.root), {args.account: args.key}, args.port)
    print(server.port, flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    sys.exit(main())
