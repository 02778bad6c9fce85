"""The operations of the test Blob service (azure_server.py) and the state they work on: containers, committed
blobs and uncommitted blocks, kept on disk. `BlobOperations` is mixed into the server's request handler, which
parses, authenticates and answers; each operation returns the status it answered."""
from __future__ import annotations

import base64
import email.utils
import hashlib
import os
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

CHUNK = 1 << 20


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
    # blob name -> block id -> (offset, length) of that committed block in the blob's file
    committed: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)


@dataclass
class Event:
    op: str
    container: str
    blob: str | None
    block_id: str | None = None
    status: int = 0
    # the body checksums the request carried and the server checked: "md5", "crc64"
    checksums: tuple[str, ...] = ()


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


def etag() -> str:
    return f'"0x{uuid.uuid4().hex[:15].upper()}"'


class BlobOperations:
    """The Blob service operations, over the handler's `blob_server`, `headers`, `query`, `_send`, `_receive`, `_drain`."""

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
            "ETag": blob.etag, "Last-Modified": http_date(blob.modified), "x-ms-creation-time": http_date(blob.modified),
            "x-ms-blob-type": "BlockBlob", "Content-Type": blob.content_type, "Accept-Ranges": "bytes",
            "x-ms-lease-status": "unlocked", "x-ms-lease-state": "available", "x-ms-server-encrypted": "true",
        }
        if blob.content_md5:
            headers["Content-MD5"] = blob.content_md5
        if blob.access_tier:
            headers["x-ms-access-tier"] = blob.access_tier
        return headers

    def _commit(self, account: str, container: str, name: str, data: Path, size: int, md5: str | None,
                content_type: str, committed: dict[str, tuple[int, int]] | None = None) -> Blob:
        c = self._container(account, container)
        final = c.folder / (hashlib.sha256(name.encode()).hexdigest() + ".blob")
        os.replace(data, final)
        blob = Blob(final, size, etag(), time.time(), content_type, md5, self.headers.get("x-ms-access-tier"))
        with self.blob_server.lock:
            c.blobs[name] = blob
            c.committed[name] = dict(committed or {})
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
        self._send(201, {"ETag": etag(), "Last-Modified": http_date(time.time())})
        return 201

    def _container_properties(self, account, container, _blob):
        self._container(account, container)
        self._send(200, {"ETag": etag(), "Last-Modified": http_date(time.time())})
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
        self._send(201, {"ETag": blob.etag, "Last-Modified": http_date(blob.modified), "Content-MD5": md5,
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
        echoed = {"Content-MD5": self.headers.get("Content-MD5", "")}
        if self.headers.get("x-ms-content-crc64"):
            echoed = {"x-ms-content-crc64": self.headers["x-ms-content-crc64"]}
        self._send(201, {**echoed, "x-ms-request-server-encrypted": "true"})
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
            committed = dict(c.committed.get(name, {}))
            current = c.blobs.get(name)
        # As the service does: `Latest` looks among the uncommitted blocks, then the committed ones (so a Put Block
        # List sent again after its answer was lost commits the same blob); `Committed` among the committed only.
        parts: list[tuple[str, Path, int, int | None]] = []
        for element in root:
            block_id = (element.text or "").strip()
            if element.tag in ("Latest", "Uncommitted") and block_id in blocks:
                parts.append((block_id, blocks[block_id], 0, None))
            elif element.tag in ("Latest", "Committed") and block_id in committed and current is not None:
                parts.append((block_id, current.path, *committed[block_id]))
            else:
                raise BlobError(400, "InvalidBlockList", "The specified block list is invalid.")
        fd, temp = tempfile.mkstemp(dir=c.folder, suffix=".commit")
        size = 0
        now_committed: dict[str, tuple[int, int]] = {}
        with os.fdopen(fd, "wb") as out:
            for block_id, path, offset, length in parts:
                start = size
                with open(path, "rb") as block:
                    block.seek(offset)
                    left = length
                    while chunk := block.read(CHUNK if left is None else min(CHUNK, left)):
                        out.write(chunk)
                        size += len(chunk)
                        if left is not None:
                            left -= len(chunk)
                now_committed[block_id] = (start, size - start)
        blob = self._commit(account, container, name, Path(temp), size, self.headers.get("x-ms-blob-content-md5"),
                            self.headers.get("x-ms-blob-content-type") or "application/octet-stream", now_committed)
        self._send(201, {"ETag": blob.etag, "Last-Modified": http_date(blob.modified), "x-ms-request-server-encrypted": "true"})
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

    def _delete_blob(self, account, container, name):
        self._drain()
        c = self._container(account, container)
        with self.blob_server.lock:
            blob = c.blobs.pop(name, None)
            blocks = c.blocks.pop(name, {})
            c.committed.pop(name, None)
        if blob is None:
            raise BlobError(404, "BlobNotFound", "The specified blob does not exist.")
        blob.path.unlink(missing_ok=True)
        for path in blocks.values():
            path.unlink(missing_ok=True)
        self._send(202, {"x-ms-delete-type-permanent": "true"})
        return 202

    def _list_blobs(self, account, container, _blob):
        c = self._container(account, container)
        prefix = self.query.get("prefix", "")
        marker = self.query.get("marker", "")
        start = _decode_marker(marker) if marker else ""
        try:
            limit = int(self.query.get("maxresults", "5000"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 5000:
            raise BlobError(400, "OutOfRangeQueryParameterValue", "One of the query parameters specified in the request URI is outside the permissible range.")
        with self.blob_server.lock:
            names = sorted(n for n in c.blobs if n.startswith(prefix) and n >= start)
            size = min(limit, self.blob_server.page_size)
            page, rest = names[:size], names[size:]
            entries = [(n, c.blobs[n]) for n in page]
        items = "".join(
            f"<Blob>{_name_element(n)}<Properties><Creation-Time>{http_date(b.modified)}</Creation-Time>"
            f"<Last-Modified>{http_date(b.modified)}</Last-Modified><Etag>{b.etag}</Etag>"
            f"<Content-Length>{b.size}</Content-Length><Content-Type>{escape(b.content_type)}</Content-Type>"
            f"<Content-MD5>{b.content_md5 or ''}</Content-MD5><BlobType>BlockBlob</BlobType>"
            f"<AccessTier>{b.access_tier or 'Hot'}</AccessTier><LeaseStatus>unlocked</LeaseStatus>"
            f"<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties></Blob>"
            for n, b in entries
        )
        # The service's markers are opaque: the next page starts at the name it encodes.
        next_marker = f"<NextMarker>{_encode_marker(rest[0])}</NextMarker>" if rest else "<NextMarker />"
        body = (f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="{self.blob_server.url(account)}/" '
                f'ContainerName="{escape(container)}"><Prefix>{escape(prefix)}</Prefix><Marker>{escape(marker)}</Marker>'
                f"<MaxResults>{limit}</MaxResults><Blobs>{items}</Blobs>{next_marker}"
                f"</EnumerationResults>").encode()
        self._send(200, {"Content-Type": "application/xml"}, body)
        return 200


def _xml_safe(text: str) -> bool:
    return all(ch in "\t\n\r" or 0x20 <= ord(ch) <= 0xD7FF or 0xE000 <= ord(ch) <= 0xFFFD or ord(ch) >= 0x10000 for ch in text)


def _name_element(name: str) -> str:
    """A listed name as the service writes it: XML-escaped, or percent-encoded when XML cannot carry it."""
    if _xml_safe(name):
        return f"<Name>{escape(name).replace(chr(13), '&#xD;')}</Name>"
    return f'<Name Encoded="true">{quote(name, safe="")}</Name>'


def _encode_marker(name: str) -> str:
    return "2!" + base64.b64encode(name.encode()).decode()


def _decode_marker(marker: str) -> str:
    try:
        if not marker.startswith("2!"):
            raise ValueError(marker)
        return base64.b64decode(marker[2:], validate=True).decode()
    except ValueError:
        raise BlobError(400, "OutOfRangeInput", "One of the request inputs is out of range.")
