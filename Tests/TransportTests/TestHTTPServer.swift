import Foundation
import Transport

/// A real HTTP/1.1 server (Python's http.server) on 127.0.0.1, started and stopped by a test.
final class TestHTTPServer: Sendable {
    let port: Int
    let scheme: String
    private let process: Process
    private let output: FileHandle

    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }
    var localhostURL: String { "\(scheme)://localhost:\(port)" }

    /// `tls`: (certificate file, key file) to serve HTTPS.
    init(tls: (cert: String, key: String)? = nil) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", "-c", Self.script]
        if let tls { arguments += [tls.cert, tls.key] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let handle = output.fileHandleForReading
        let line = try await Self.readLine(handle)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TransportError(.local, "the test server did not start: \(line)")
        }
        self.port = port
        self.process = process
        self.output = handle
        self.scheme = tls == nil ? "http" : "https"
    }

    /// Waits until the server has received a request for `path` (it prints each slow path it is holding).
    func waitForRequest(_ path: String) async throws {
        while try await Self.readLine(output).trimmingCharacters(in: .whitespacesAndNewlines) != path {}
    }

    /// One line of the server's output, read byte by byte so that nothing after it is consumed.
    private static func readLine(_ handle: FileHandle) async throws -> String {
        try await onOwnThread { _ in
            var bytes: [UInt8] = []
            while let byte = try handle.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") {
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    func stop() {
        // SIGKILL: a child spawned from a dispatch thread inherits its blocked-signal mask, SIGTERM included.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static let script = #"""
import hashlib, http.server, ssl, sys, time

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/hello":
            self.answer(200, b"hello", [("X-Test", "yes")])
        elif self.path == "/port":
            self.answer(200, str(self.client_address[1]).encode())
        elif self.path.startswith("/status/"):
            self.answer(int(self.path[8:]), b"<Error/>")
        elif self.path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"12345")
            self.wfile.flush()
            time.sleep(30)
        elif self.path.startswith("/bytes/"):
            size = int(self.path[7:])
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            pattern = bytes(range(256)) * 4096
            sent = 0
            while sent < size:
                chunk = pattern[:min(len(pattern), size - sent)]
                self.wfile.write(chunk)
                sent += len(chunk)
        elif self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"12345")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/unsized":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"12345")
            self.close_connection = True
        elif self.path == "/cut-in-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Le")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.3)
        elif self.path == "/slow":
            print("/slow", flush=True)
            time.sleep(30)
            self.answer(200)
        else:
            self.answer(404)

    do_HEAD = do_GET

    def do_DELETE(self):
        self.answer(204)

    def receive(self):
        length = int(self.headers.get("Content-Length", "0"))
        data = b""
        while len(data) < length:
            chunk = self.rfile.read(min(1 << 20, length - len(data)))
            if not chunk:
                break
            data += chunk
        headers = [("X-Method", self.command), ("X-Length", str(len(data))),
                   ("X-Expect", self.headers.get("Expect", "")), ("X-Custom", self.headers.get("X-Custom", ""))]
        self.answer(200, hashlib.sha256(data).hexdigest().encode(), headers)

    do_PUT = receive
    do_POST = receive

class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

server = QuietServer(("127.0.0.1", 0), Handler)
if len(sys.argv) == 3:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
}
