"""TCP proxies on 127.0.0.1 in front of moto: one cuts or holds a marked request, one records every request."""
import socket
import threading


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 in front of moto. Connections pass through until a request for a
    marked part goes by; then that connection is cut (mode "cut") or held silent (mode "hold")."""

    def __init__(self, upstream_port: int, marker: bytes, mode: str):
        self.upstream_port = upstream_port
        self.marker = marker
        self.mode = mode
        self.triggered = threading.Event()
        self.release = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self.pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, False), daemon=True).start()

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


class RecordingProxy:
    """A TCP proxy on 127.0.0.1 in front of moto that parses each request going by (HTTP/1.1 with a
    Content-Length) and records its method, target, headers and body, then forwards it unchanged."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
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
            threading.Thread(target=self.requests_from, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self.answers_from, args=(upstream, client), daemon=True).start()

    def requests_from(self, source: socket.socket, target: socket.socket):
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
                target.sendall(head + b"\r\n\r\n" + body)
        except OSError:
            pass
        finally:
            target.close()

    def answers_from(self, source: socket.socket, target: socket.socket):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            target.close()

    def close(self):
        self.listener.close()
