#!/usr/bin/env python3
"""A fast S3-ish sink for the upload benchmark (not a test peer): answers HeadBucket, PutObject,
multipart calls and HeadObject on 127.0.0.1, counts body bytes and throws them away. No signature
checking, no storage. Prints its port, then serves until killed.
Usage: s3-sink.py [report-file]   (the report gets one "key size" line per completed object)"""
import http.server
import sys
import threading
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

sizes: dict[str, int] = {}
parts: dict[str, dict[int, int]] = {}
lock = threading.Lock()
report = open(sys.argv[1], "a") if len(sys.argv) > 1 else None


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def target(self):
        url = urlsplit(self.path)
        return unquote(url.path), parse_qs(url.query, keep_blank_values=True)

    def drain(self) -> int:
        remaining = int(self.headers.get("Content-Length", "0"))
        total = 0
        while remaining:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            total += len(chunk)
            remaining -= len(chunk)
        return total

    def do_HEAD(self):
        path, _ = self.target()
        if path.count("/") <= 1:
            self.answer(200, headers=[("x-amz-bucket-region", "us-east-1")])
        elif path in sizes:
            self.send_response(200)
            self.send_header("Content-Length", str(sizes[path]))
            self.end_headers()
        else:
            self.answer(404)

    def do_PUT(self):
        path, query = self.target()
        size = self.drain()
        if "partNumber" in query:
            with lock:
                parts[query["uploadId"][0]][int(query["partNumber"][0])] = size
            self.answer(200, headers=[("ETag", '"%s"' % uuid.uuid4().hex)])
        else:
            self.finish_object(path, size)
            self.answer(200, headers=[("ETag", '"%s"' % uuid.uuid4().hex)])

    def do_POST(self):
        path, query = self.target()
        self.drain()
        if "uploads" in query:
            upload = uuid.uuid4().hex
            with lock:
                parts[upload] = {}
            self.answer(200, f"<InitiateMultipartUploadResult><UploadId>{upload}</UploadId></InitiateMultipartUploadResult>".encode())
        else:
            with lock:
                uploaded = parts.pop(query["uploadId"][0])
            self.finish_object(path, sum(uploaded.values()))
            self.answer(200, b"<CompleteMultipartUploadResult><ETag>\"x-1\"</ETag></CompleteMultipartUploadResult>")

    def do_DELETE(self):
        _, query = self.target()
        with lock:
            parts.pop(query.get("uploadId", [""])[0], None)
        self.answer(204)

    def finish_object(self, path, size):
        with lock:
            sizes[path] = size
        if report:
            report.write(f"{path} {size}\n")
            report.flush()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
