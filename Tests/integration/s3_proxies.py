"""TCP proxies on 127.0.0.1 in front of moto: one cuts or holds a marked request, one records every request."""
import socket
import threading


class Proxy:
    """A TCP proxy on 127.0.0.1 in front of an upstream port: each connection is served by `client_to_upstream`
    and `upstream_to_client`, one thread each, which subclasses define."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self.client_to_upstream, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self.upstream_to_client, args=(upstream, client), daemon=True).start()

    def client_to_upstream(self, client: socket.socket, upstream: socket.socket):
        raise NotImplementedError

    def upstream_to_client(self, upstream: socket.socket, client: socket.socket):
        raise NotImplementedError


class CuttingProxy(Proxy):
    """Connections pass through until a request for a marked part goes by; then that connection is cut
    (mode "cut") or held silent (mode "hold")."""

    def __init__(self, upstream_port: int, marker: bytes, mode: str):
        self.marker = marker
        self.mode = mode
        self.triggered = threading.Event()
        self.release = threading.Event()
        super().__init__(upstream_port)

    def client_to_upstream(self, client: socket.socket, upstream: socket.socket):
        self.pump(client, upstream, True)

    def upstream_to_client(self, upstream: socket.socket, client: socket.socket):
        self.pump(upstream, client, False)

    def pump(self, source: socket.socket, target: socket.socket, watch: bool):
        tail = b""
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if watch and self.marker in tail + data:
                    self.triggered.set()
                    if self.mode == "hold":
                        self.release.wait(120)
                    break
                tail = data[-len(self.marker):]
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.release.set()
        self.listener.close()
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass


class RecordingProxy(Proxy):
    """Parses each request going by (HTTP/1.1 with a Content-Length) and records its method, target, headers
    and body, then forwards it unchanged."""

    def __init__(self, upstream_port: int, refuse=None):
        """`refuse(method, target, headers)` may return a reason to answer 403 instead of forwarding."""
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.refuse = refuse
        super().__init__(upstream_port)

    def client_to_upstream(self, source: socket.socket, target: socket.socket):
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = source.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
                length = int(headers.get("content-length", "0"))
                while len(buffer) < length:
                    data = source.recv(65536)
                    if not data:
                        return
                    buffer += data
                body, buffer = buffer[:length], buffer[length:]
                self.requests.append((method, path, headers, body))
                if self.refuse and (reason := self.refuse(method, path, headers)):
                    xml = f"<Error><Code>AccessDenied</Code><Message>{reason}</Message></Error>".encode()
                    source.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nConnection: close\r\n"
                                   + f"Content-Length: {len(xml)}\r\n\r\n".encode() + xml)
                    return
                target.sendall(head + b"\r\n\r\n" + body)
        except OSError:
            pass
        finally:
            target.close()

    def upstream_to_client(self, source: socket.socket, target: socket.socket):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            target.close()

    def close(self):
        self.listener.close()
