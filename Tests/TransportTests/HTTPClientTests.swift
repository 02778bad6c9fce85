import Foundation
import Signing
import Testing
@testable import Transport

@Suite struct HTTPClientTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(method: "GET", url: server.baseURL + "/hello"))
        #expect(response.status == 200)
        #expect(response.header("X-Test") == "yes")
        #expect(response.bodyText == "hello")
    }

    @Test func headHasNoBody() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(method: "HEAD", url: server.baseURL + "/hello"))
        #expect(response.status == 200)
        #expect(response.header("content-length") == "5")
        #expect(response.body.isEmpty)
    }

    @Test func errorStatusIsReturnedNotThrown() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(method: "GET", url: server.baseURL + "/status/503"))
        #expect(response.status == 503)
        #expect(response.bodyText == "<Error/>")
    }

    @Test func putSendsExactlyTheFileRange() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let folder = try TemporaryFolder()
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let path = folder.path + "/data.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let range = 1_000_003..<2_500_000
        let request = HTTPRequest(
            method: "PUT", url: server.baseURL + "/upload",
            headers: [HTTPHeader("X-Custom", "one two")],
            body: .file(path: path, offset: Int64(range.lowerBound), length: Int64(range.count))
        )
        let response = try await HTTPClient().send(request)
        #expect(response.status == 200)
        #expect(response.header("x-length") == String(range.count))
        #expect(response.bodyText == Digest.hex(Digest.sha256(bytes[range])))
        #expect(response.header("x-expect") == "")
        #expect(response.header("x-custom") == "one two")
    }

    @Test func postSendsBytesAndEmptyBodies() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let client = HTTPClient()
        let post = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", body: .bytes(Array("<a/>".utf8))))
        #expect(post.header("x-method") == "POST")
        #expect(post.bodyText == Digest.hex(Digest.sha256(Array("<a/>".utf8))))
        let empty = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x?uploads"))
        #expect(empty.header("x-method") == "POST")
        #expect(empty.header("x-length") == "0")
        let delete = try await client.send(HTTPRequest(method: "DELETE", url: server.baseURL + "/x"))
        #expect(delete.status == 204)
    }

    @Test func reusesConnections() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let client = HTTPClient()
        let first = try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/port"))
        let second = try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/port"))
        #expect(first.bodyText == second.bodyText)
    }

    @Test func fileShorterThanItsRangeFailsLocally() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let folder = try TemporaryFolder()
        let path = folder.path + "/short.bin"
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: path))
        let request = HTTPRequest(method: "PUT", url: server.baseURL + "/x", body: .file(path: path, offset: 0, length: 1000))
        let error = await #expect(throws: TransportError.self) { try await HTTPClient().send(request) }
        #expect(error?.kind == .local)
        #expect(error?.isRetryable == false)
    }

    @Test func refusedConnectionIsRetryable() async throws {
        let port = try freePort()
        let error = await #expect(throws: TransportError.self) {
            try await HTTPClient().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))
        }
        #expect(error?.kind == .connection)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("http://127.0.0.1:\(port)") == true)
    }

    @Test func stalledTransferIsAborted() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let client = HTTPClient(options: HTTPClientOptions(stallTimeout: .seconds(1)))
        let started = ContinuousClock.now
        let error = await #expect(throws: TransportError.self) {
            try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/stall"))
        }
        #expect(error?.kind == .stalled)
        #expect(error?.isRetryable == true)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let client = HTTPClient()
        let task = Task { try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/slow")) }
        // The request is in flight once the server has it; cancelling must end it long before the server answers.
        try await server.waitForRequest("/slow")
        let started = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(throws: TransportError.self) { try result.get() }
        if case .failure(let error as TransportError) = result { #expect(error.kind == .cancelled) }
    }
}

func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            guard bind(descriptor, raw, length) == 0, getsockname(descriptor, raw, &length) == 0 else {
                throw TransportError(.local, "cannot find a free port")
            }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A 0700 folder removed when the value goes away.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "transport-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
