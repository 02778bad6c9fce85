import Foundation
import Signing
import Testing
@testable import Transport

@Suite struct HTTPDownloadTests {
    @Test func successfulAnswerIsStreamedToTheFileAndHashed() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let folder = try TemporaryFolder()
        let path = folder.path + "/download.bin"
        // Something to truncate: the download replaces it.
        try Data(repeating: 9, count: 5_000_000).write(to: URL(fileURLWithPath: path))
        let size = 3_000_001
        let expected = (0..<size).map { UInt8(truncatingIfNeeded: $0) }

        let download = try await HTTPClient().download(HTTPRequest(method: "GET", url: server.baseURL + "/bytes/\(size)"), to: path)

        #expect(download.response.status == 200)
        #expect(download.response.body.isEmpty)
        #expect(download.size == Int64(size))
        #expect(download.sha256 == Digest.sha256(expected))
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(written == Data(expected))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func newFileIsCreatedWithMode0600() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let folder = try TemporaryFolder()
        let path = folder.path + "/new.bin"
        let download = try await HTTPClient().download(HTTPRequest(method: "GET", url: server.baseURL + "/hello"), to: path)
        #expect(download.size == 5)
        #expect(download.sha256 == Digest.sha256(Array("hello".utf8)))
        #expect(download.response.header("x-test") == "yes")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("hello".utf8))
    }

    @Test func errorAnswerKeepsItsBodyInTheResponse() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let folder = try TemporaryFolder()
        let download = try await HTTPClient().download(
            HTTPRequest(method: "GET", url: server.baseURL + "/status/404"), to: folder.path + "/missing.bin")
        #expect(download.response.status == 404)
        #expect(download.response.bodyText == "<Error/>")
        #expect(download.size == 0)
    }

    @Test func answerCutOffIsARetryableConnectionError() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let folder = try TemporaryFolder()
        for path in ["/cut", "/unsized"] {
            let error = await #expect(throws: TransportError.self) {
                try await HTTPClient().download(HTTPRequest(method: "GET", url: server.baseURL + path), to: folder.path + "/cut.bin")
            }
            #expect(error?.kind == .connection)
            #expect(error?.isRetryable == true)
        }
    }

    @Test func unwritableFileFailsLocally() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let error = await #expect(throws: TransportError.self) {
            try await HTTPClient().download(
                HTTPRequest(method: "GET", url: server.baseURL + "/hello"), to: "/nonexistent-folder-\(UUID().uuidString)/x")
        }
        #expect(error?.kind == .local)
    }
}
