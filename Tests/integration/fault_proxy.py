"""A seeded fault-injecting HTTP/1.1 proxy on 127.0.0.1, between the binary and an HTTP test server (moto, the
Blob service). Requests and answers pass byte for byte (the Host header SigV4 and SharedKey sign included),
except that a share of requests, drawn from a seeded generator, meets a fault:

- `error`:    answered by the proxy with 500 InternalError, never forwarded;
- `busy`:     answered by the proxy with 503 SlowDown (S3) or ServerBusy (Azure), never forwarded;
- `reset`:    forwarded, then the connection is reset partway through the answer's body (the server did the work);
- `stall`:    forwarded, then the answer is held back until the client gives up (longer than its stall timeout);
- `truncate`: forwarded, then the answer is cut off (connection closed) inside its header block or its body;
- `denied`:   (only by a rule) answered 403 AccessDenied / AuthorizationFailure, which no retry fixes, once an
              earlier fault has happened: a sibling failure at a chosen moment.

Faults after forwarding lose an answer to a request the server carried out: the case retries must survive
(a CreateMultipartUpload whose answer never arrives, a completed upload that looks failed)."""
import random
import re
import socket
import struct
import threading

FAULTS = ("error", "busy", "reset", "stall", "truncate")

S3_ERROR = (500, "InternalError", "We encountered an internal error. Please try again.")
S3_BUSY = (503, "SlowDown", "Please reduce your request rate.")
S3_DENIED = (403, "AccessDenied", "Access Denied")
AZURE_DENIED = (403, "AuthorizationFailure", "This request is not authorized to perform this operation.")
AZURE_ERROR = (500, "InternalError", "The server encountered an internal error. Please retry the request.")
AZURE_BUSY = (503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.")


class FaultProxy:
    """`flavour` is "s3" or "azure" (the error documents it answers); `rate` the share of requests faulted;
    `only`, a pattern of request heads: when given, only matching requests may meet a fault."""

    def __init__(self, upstream_port: int, seed: int, rate: float, flavour: str, faults=FAULTS, hold_seconds: float = 60,
                 only: bytes | None = None, rules: list[tuple[bytes, str]] | None = None):
        self.upstream_port = upstream_port
        self.random = random.Random(seed)
        self.rate = rate
        self.flavour = flavour
        self.faults = tuple(faults)
        self.hold_seconds = hold_seconds
        self.only = re.compile(only) if only else None
        # (pattern of request heads, fault): the first matching rule decides, always; other requests pass.
        self.rules = [(re.compile(pattern), fault) for pattern, fault in rules or []]
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        # Requests received, and faults whose request reached the server, so far.
        self.received = 0
        self.faulted = 0
        self.counts = {fault: 0 for fault in ("pass",) + FAULTS}
        self.stopping = threading.Event()
        self.connections: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.stopping.set()
        self.listener.close()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.close()
                except OSError:
                    pass

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def wait_for(self, predicate, timeout: float = 60) -> None:
        """Waits until `predicate(proxy)` holds, checked as requests come and faults happen."""
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self), timeout=timeout):
                raise TimeoutError(f"the proxy never reached the awaited state: {self.counts}")

    def _note(self, field: str) -> None:
        with self.changed:
            setattr(self, field, getattr(self, field) + 1)
            self.changed.notify_all()

    def _draw(self, head: bytes) -> tuple[str, float]:
        with self.lock:
            for pattern, fault in self.rules:
                if pattern.search(head):
                    self.counts[fault] = self.counts.get(fault, 0) + 1
                    return fault, 0.5
            if self.rules or (self.only is not None and not self.only.search(head)):
                self.counts["pass"] += 1
                return "pass", 0.0
            fault = self.random.choice(self.faults) if self.random.random() < self.rate else "pass"
            self.counts[fault] += 1
            cut = self.random.random()
        return fault, cut

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket):
        upstream = None
        reader = _Reader(client)
        try:
            while not self.stopping.is_set():
                request = reader.message(request=True)
                if request is None:
                    return
                self._note("received")
                fault, cut = self._draw(request.head)
                if fault == "denied":
                    self.wait_for(lambda proxy: proxy.faulted >= 1, timeout=self.hold_seconds)
                    client.sendall(self._error_answer(fault))
                    continue
                if fault in ("error", "busy"):
                    client.sendall(self._error_answer(fault))
                    continue
                if upstream is None:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                    with self.lock:
                        self.connections.append(upstream)
                    upstream_reader = _Reader(upstream)
                upstream.sendall(request.raw)
                answer = upstream_reader.message(request=False, method=request.method)
                if answer is None:
                    return
                if fault != "pass":
                    self._note("faulted")
                if fault == "pass":
                    client.sendall(answer.raw)
                    if answer.closes:
                        return
                    continue
                if fault == "stall":
                    # Hold the answer until the client gives up and closes, or the hold ends.
                    client.settimeout(self.hold_seconds)
                    try:
                        client.recv(1)
                    except OSError:
                        pass
                    return
                if fault == "reset":
                    body_start = len(answer.head)
                    client.sendall(answer.raw[:body_start + int(cut * max(0, len(answer.raw) - body_start - 1))])
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if fault == "truncate":
                    # Half of the cuts land inside the header block, the others inside the body (or at its start).
                    if cut < 0.5 or len(answer.raw) == len(answer.head):
                        end = 1 + int(cut * 2 * (len(answer.head) - 5))
                    else:
                        end = len(answer.head) + int((cut - 0.5) * 2 * (len(answer.raw) - len(answer.head) - 1))
                    client.sendall(answer.raw[:end])
                    client.shutdown(socket.SHUT_WR)
                    return
        except OSError:
            return
        finally:
            for s in (client, upstream):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def _error_answer(self, fault: str) -> bytes:
        if self.flavour == "s3":
            status, code, message = {"error": S3_ERROR, "busy": S3_BUSY, "denied": S3_DENIED}[fault]
            body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
                    f"<RequestId>fault-proxy</RequestId></Error>").encode()
            extra = ""
        else:
            status, code, message = {"error": AZURE_ERROR, "busy": AZURE_BUSY, "denied": AZURE_DENIED}[fault]
            body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
                    f"</Error>").encode()
            extra = f"x-ms-error-code: {code}\r\nx-ms-request-id: fault-proxy\r\n"
        reason = {500: "Internal Server Error", 503: "Service Unavailable", 403: "Forbidden"}[status]
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\n{extra}"
                f"Content-Length: {len(body)}\r\n\r\n")
        return head.encode() + body


class _Message:
    def __init__(self, head: bytes, body: bytes, method: str | None, closes: bool):
        self.head = head
        self.raw = head + body
        self.method = method
        self.closes = closes


class _Reader:
    """Reads whole HTTP/1.x messages (Content-Length framed, or to the connection's end) from a socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.sock.recv(1 << 20)
        if not data:
            return False
        self.buffer += data
        return True

    def message(self, request: bool, method: str | None = None) -> _Message | None:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                return None
        end = self.buffer.index(b"\r\n\r\n") + 4
        head, self.buffer = self.buffer[:end], self.buffer[end:]
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        first = lines[0].split(" ")
        closes = headers.get("connection", "").lower() == "close" or (not request and first[0] == "HTTP/1.0"
                                                                     and headers.get("connection", "").lower() != "keep-alive")
        status = 0 if request else int(first[1])
        no_body = (not request) and (method == "HEAD" or status in (204, 304) or 100 <= status < 200)
        if "content-length" in headers:
            length = 0 if no_body else int(headers["content-length"])
        elif request or no_body:
            length = 0
        else:
            # No length: the body runs to the connection's end.
            while self._fill():
                pass
            length = len(self.buffer)
            closes = True
        while len(self.buffer) < length:
            if not self._fill():
                return None
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return _Message(head, body, first[0] if request else method, closes)
