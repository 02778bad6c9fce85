import Foundation
import Testing
@testable import Transport

/// Answers that libcurl would take for complete or alive, and are neither.
@Suite struct CutAndTrickleTests {
    @Test func anAnswerCutInsideItsHeaderBlockIsARetryableConnectionFailure() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let error = await #expect(throws: TransportError.self) {
            try await HTTPClient().send(HTTPRequest(method: "GET", url: server.baseURL + "/cut-in-headers"))
        }
        #expect(error?.kind == .connection)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("cut off inside its header block") == true)
    }

    @Test func aCompleteHeaderBlockWithoutABodyIsAnAnswer() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let response = try await HTTPClient().send(HTTPRequest(method: "HEAD", url: server.baseURL + "/hello"))
        #expect(response.status == 200)
    }

    /// One byte every 0.3 s moves data all the time, so only the minimum-speed rule ends it (the server would
    /// take 30 s to finish).
    @Test func aTricklingAnswerIsStoppedAsStalled() async throws {
        let server = try await TestHTTPServer()
        defer { server.stop() }
        let client = HTTPClient(options: HTTPClientOptions(stallTimeout: .seconds(1)))
        let error = await #expect(throws: TransportError.self) {
            try await client.send(HTTPRequest(method: "GET", url: server.baseURL + "/trickle"))
        }
        #expect(error?.kind == .stalled)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("fewer than 1024 bytes a second moved for 1") == true)
    }

    @Test func aCutOffAnswerIsRetryable() {
        let error = TransportError.cutOff("S3 upload of part 2", missing: "etag header")
        #expect(error.isRetryable)
        #expect(error.message == "the answer to S3 upload of part 2 was cut off: it has no etag header")
    }
}
