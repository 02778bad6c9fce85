"""A small Azure Blob service for the tests: path-style addressing like Azurite
(`http://127.0.0.1:PORT/<account>/<container>/<blob>`), blobs stored on disk.

Implements Create Container, Put Blob, Put Block, Put Block List, Get Blob (with ranges), Get Blob
Properties and List Blobs. Uncommitted blocks are invisible until a block list commits them.
`Content-MD5` is checked on Put Blob and Put Block (400 Md5Mismatch).

Every request's SharedKey signature is checked by the official azure-storage-blob SDK's own
SharedKeyCredentialPolicy, run on the request as received: a mismatch answers 403
AuthenticationFailed, as does an `x-ms-date` more than 15 minutes off.

Tests start it in-process (`BlobServer(...).start()`), or run it as a process:
`python3 azure_server.py --root DIR --account NAME --key BASE64 [--port N]` (prints the port).
"""
from __future__ import annotations

import argparse
import base64
import email.utils
import hashlib
import hmac
import os
import sys
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.transport import HttpRequest
from azure.storage.blob._shared.authentication import SharedKeyCredentialPolicy

CHUNK = 1 << 20
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


class BlobError(Exception):
    def __init__(self, status: int, code: str, message: str, detail: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail


@dataclass
class Blob:
    path: Path
    size: int
    etag: str
    modified: float
    content_type: str
    content_md5: str | None
    access_tier: str | None


@dataclass
class Container:
    folder: Path
    blobs: dict[str, Blob] = field(default_factory=dict)
    # blob name -> block id -> file of that uncommitted block
    blocks: dict[str, dict[str, Path]] = field(default_factory=dict)


@dataclass
class Event:
    op: str
    container: str
    blob: str | None
    block_id: str | None = None
    status: int = 0


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


def _http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


def _etag() -> str:
    return f'"0x{uuid.uuid4().hex[:15].upper()}"'


class _Handler(BaseHTTPRequestHandler):
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
        op, container, blob = "unknown", "", None
        try:
            parts = urlsplit(self.path)
            segments = parts.path.split("/", 3)  # '', account, container, blob
            account = unquote(segments[1]) if len(segments) > 1 else ""
            container = unquote(segments[2]) if len(segments) > 2 else ""
            blob = unquote(segments[3]) if len(segments) > 3 and segments[3] else None
            self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
            op = self._operation(container, blob)
            self._authenticate(account)
            fault = self.blob_server._fault(op)
            if fault:
                raise BlobError(fault[0], fault[1], "Injected failure.")
            handler = getattr(self, "_" + op)
            status = handler(account, container, blob)
            self.blob_server._record(Event(op, container, blob, self.query.get("blockid"), status))
        except BlobError as error:
            self.blob_server._record(Event(op, container, blob, self.query.get("blockid") if hasattr(self, "query") else None, error.status))
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
        raise BlobError(400, "UnsupportedHttpVerb" if method not in ("GET", "PUT", "HEAD") else "InvalidQueryParameterValue",
                        f"This test service does not implement {method} {self.path}.")

    def _authenticate(self, account: str) -> None:
        key = self.blob_server.accounts.get(account)
        if key is None:
            raise BlobError(400, "InvalidResourceName", "The specifed resource name contains invalid characters.")
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
        """Streams the body to `target`; returns its size and base64 MD5, checked against Content-MD5."""
        length = self._content_length()
        self.body_consumed = True
        digest = hashlib.md5()
        with open(target, "wb") as out:
            remaining = length
            while remaining > 0:
                chunk = self.rfile.read(min(CHUNK, remaining))
                if not chunk:
                    raise ConnectionError("client went away mid-body")
                digest.update(chunk)
                out.write(chunk)
                remaining -= len(chunk)
        md5 = base64.b64encode(digest.digest()).decode()
        sent = self.headers.get("Content-MD5")
        if sent is not None and sent != md5:
            target.unlink(missing_ok=True)
            raise BlobError(400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
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
        self.send_header("Date", _http_date(time.time()))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _error(self, error: BlobError) -> None:
        detail = f"<AuthenticationErrorDetail>{escape(error.detail)}</AuthenticationErrorDetail>" if error.detail else ""
        body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{error.code}</Code>'
                f"<Message>{escape(error.message)}\nRequestId:{self.request_id}\nTime:{_http_date(time.time())}</Message>"
                f"{detail}</Error>").encode()
        self._send(error.status, {"x-ms-error-code": error.code, "Content-Type": "application/xml"},
                   b"" if self.command == "HEAD" else body)

    def _container(self, account: str, name: str) -> Container:
        with self.blob_server.lock:
            container = self.blob_server.containers.get((account, name))
        if container is None:
            raise BlobError(404, "ContainerNotFound", "The specified container does not exist.")
        return container

    def _blob(self, account: str, container: str, name: str) -> Blob:
        c = self._container(account, container)
        with self.blob_server.lock:
            blob = c.blobs.get(name)
        if blob is None:
            raise BlobError(404, "BlobNotFound", "The specified blob does not exist.")
        return blob

    @staticmethod
    def _blob_headers(blob: Blob) -> dict[str, str]:
        headers = {
            "ETag": blob.etag, "Last-Modified": _http_date(blob.modified), "x-ms-creation-time": _http_date(blob.modified),
            "x-ms-blob-type": "BlockBlob", "Content-Type": blob.content_type, "Accept-Ranges": "bytes",
            "x-ms-lease-status": "unlocked", "x-ms-lease-state": "available", "x-ms-server-encrypted": "true",
        }
        if blob.content_md5:
            headers["Content-MD5"] = blob.content_md5
        if blob.access_tier:
            headers["x-ms-access-tier"] = blob.access_tier
        return headers

    def _commit(self, account: str, container: str, name: str, data: Path, size: int, md5: str | None,
                content_type: str) -> Blob:
        c = self._container(account, container)
        final = c.folder / (hashlib.sha256(name.encode()).hexdigest() + ".blob")
        os.replace(data, final)
        blob = Blob(final, size, _etag(), time.time(), content_type, md5, self.headers.get("x-ms-access-tier"))
        with self.blob_server.lock:
            c.blobs[name] = blob
            for path in c.blocks.pop(name, {}).values():
                path.unlink(missing_ok=True)
        return blob

    # Operations: each returns the status it answered.

    def _create_container(self, account, container, _blob):
        self._drain()
        with self.blob_server.lock:
            exists = (account, container) in self.blob_server.containers
            if not exists:
                folder = self.blob_server.root / account / container
                folder.mkdir(parents=True, exist_ok=True)
                self.blob_server.containers[(account, container)] = Container(folder)
        if exists:
            raise BlobError(409, "ContainerAlreadyExists", "The specified container already exists.")
        self._send(201, {"ETag": _etag(), "Last-Modified": _http_date(time.time())})
        return 201

    def _container_properties(self, account, container, _blob):
        self._container(account, container)
        self._send(200, {"ETag": _etag(), "Last-Modified": _http_date(time.time())})
        return 200

    def _put_blob(self, account, container, name):
        c = self._container(account, container)
        if self.headers.get("x-ms-blob-type") != "BlockBlob":
            raise BlobError(400, "InvalidHeaderValue", "Only x-ms-blob-type: BlockBlob is supported here.")
        fd, temp = tempfile.mkstemp(dir=c.folder, suffix=".upload")
        os.close(fd)
        try:
            size, md5 = self._receive(Path(temp))
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        blob = self._commit(account, container, name, Path(temp), size, md5,
                            self.headers.get("Content-Type") or "application/octet-stream")
        self._send(201, {"ETag": blob.etag, "Last-Modified": _http_date(blob.modified), "Content-MD5": md5,
                         "x-ms-request-server-encrypted": "true"})
        return 201

    def _put_block(self, account, container, name):
        server = self.blob_server
        with server.lock:
            server.active_blocks += 1
            server.most_active_blocks = max(server.most_active_blocks, server.active_blocks)
        try:
            return self._store_block(account, container, name)
        finally:
            with server.lock:
                server.active_blocks -= 1

    def _store_block(self, account, container, name):
        c = self._container(account, container)
        block_id = self.query.get("blockid", "")
        try:
            raw = base64.b64decode(block_id, validate=True)
        except ValueError:
            raw = b""
        if not raw or len(raw) > 64:
            raise BlobError(400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
        with self.blob_server.lock:
            existing = c.blocks.get(name, {})
            if any(len(base64.b64decode(other)) != len(raw) for other in existing):
                raise BlobError(400, "InvalidBlobOrBlock", "The specified blob or block content is invalid.")
        self._await_gate()
        fd, temp = tempfile.mkstemp(dir=c.folder, suffix=".block")
        os.close(fd)
        try:
            self._receive(Path(temp))
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        with self.blob_server.lock:
            old = c.blocks.setdefault(name, {}).get(block_id)
            c.blocks[name][block_id] = Path(temp)
        if old:
            old.unlink(missing_ok=True)
        self._send(201, {"Content-MD5": self.headers.get("Content-MD5", ""), "x-ms-request-server-encrypted": "true"})
        return 201

    def _await_gate(self) -> None:
        server = self.blob_server
        with server.changed:
            gate = server.gate
            passed = len([e for e in server.events if e.op == "put_block"])
            if gate is None or passed < server.gate_after:
                return
            server.waiting_at_gate += 1
            server.changed.notify_all()
        gate.wait()

    def _put_block_list(self, account, container, name):
        c = self._container(account, container)
        body = self._read_small_body()
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            raise BlobError(400, "InvalidXmlDocument", "XML specified is not syntactically valid.")
        if root.tag != "BlockList":
            raise BlobError(400, "InvalidXmlDocument", "XML specified is not syntactically valid.")
        with self.blob_server.lock:
            blocks = dict(c.blocks.get(name, {}))
        parts: list[Path] = []
        for element in root:
            path = blocks.get((element.text or "").strip())
            if element.tag not in ("Latest", "Uncommitted") or path is None:
                raise BlobError(400, "InvalidBlockList", "The specified block list is invalid.")
            parts.append(path)
        fd, temp = tempfile.mkstemp(dir=c.folder, suffix=".commit")
        size = 0
        with os.fdopen(fd, "wb") as out:
            for path in parts:
                with open(path, "rb") as block:
                    while chunk := block.read(CHUNK):
                        out.write(chunk)
                        size += len(chunk)
        blob = self._commit(account, container, name, Path(temp), size, self.headers.get("x-ms-blob-content-md5"),
                            self.headers.get("x-ms-blob-content-type") or "application/octet-stream")
        self._send(201, {"ETag": blob.etag, "Last-Modified": _http_date(blob.modified), "x-ms-request-server-encrypted": "true"})
        return 201

    def _get_blob_properties(self, account, container, name):
        blob = self._blob(account, container, name)
        self._send(200, self._blob_headers(blob), length=blob.size)
        return 200

    def _get_blob(self, account, container, name):
        blob = self._blob(account, container, name)
        if_match = self.headers.get("If-Match")
        if if_match and if_match not in ("*", blob.etag):
            raise BlobError(412, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
        headers = self._blob_headers(blob)
        start, end, status = 0, blob.size - 1, 200
        byte_range = self.headers.get("x-ms-range") or self.headers.get("Range")
        if byte_range:
            first, _, last = byte_range.removeprefix("bytes=").partition("-")
            start = int(first)
            end = min(int(last), blob.size - 1) if last else blob.size - 1
            if start >= blob.size:
                raise BlobError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.")
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{blob.size}"
            if blob.content_md5 and self.headers.get("x-ms-range-get-content-md5") != "true":
                headers.pop("Content-MD5")
        length = end - start + 1 if blob.size else 0
        self.send_response(status)
        self.send_header("x-ms-request-id", self.request_id)
        self.send_header("x-ms-version", self.headers.get("x-ms-version", "2021-12-02"))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        with open(blob.path, "rb") as data:
            data.seek(start)
            remaining = length
            while remaining > 0:
                chunk = data.read(min(CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)
        return status

    def _list_blobs(self, account, container, _blob):
        c = self._container(account, container)
        prefix = self.query.get("prefix", "")
        marker = self.query.get("marker", "")
        limit = int(self.query.get("maxresults", "5000"))
        with self.blob_server.lock:
            names = sorted(n for n in c.blobs if n.startswith(prefix) and n > marker)
            page, rest = names[:limit], names[limit:]
            entries = [(n, c.blobs[n]) for n in page]
        items = "".join(
            f"<Blob><Name>{escape(n)}</Name><Properties><Creation-Time>{_http_date(b.modified)}</Creation-Time>"
            f"<Last-Modified>{_http_date(b.modified)}</Last-Modified><Etag>{b.etag}</Etag>"
            f"<Content-Length>{b.size}</Content-Length><Content-Type>{escape(b.content_type)}</Content-Type>"
            f"<Content-MD5>{b.content_md5 or ''}</Content-MD5><BlobType>BlockBlob</BlobType>"
            f"<AccessTier>{b.access_tier or 'Hot'}</AccessTier><LeaseStatus>unlocked</LeaseStatus>"
            f"<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties></Blob>"
            for n, b in entries
        )
        next_marker = escape(page[-1]) if rest else ""
        body = (f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="{self.blob_server.url(account)}/" '
                f'ContainerName="{escape(container)}"><Prefix>{escape(prefix)}</Prefix><Marker>{escape(marker)}</Marker>'
                f"<MaxResults>{limit}</MaxResults><Blobs>{items}</Blobs><NextMarker>{next_marker}</NextMarker>"
                f"</EnumerationResults>").encode()
        self._send(200, {"Content-Type": "application/xml"}, body)
        return 200


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
