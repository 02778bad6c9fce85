import Foundation
import Signing

/// What a download brought back: the answer (its body empty when it went to the file) and the size and
/// SHA-256 of the bytes written to the file (0 and empty, and no file, when the answer was not a 2xx).
public struct HTTPDownload: Sendable {
    public var response: HTTPResponse
    public var size: Int64
    public var sha256: [UInt8]

    public init(response: HTTPResponse, size: Int64, sha256: [UInt8]) {
        self.response = response
        self.size = size
        self.sha256 = sha256
    }
}

extension HTTPClient {
    /// Sends `request`; a 2xx answer's body is streamed into the file at `path` (created or truncated, mode 0600)
    /// and hashed (SHA-256) as it is written, never held in memory; any other answer's body is kept in
    /// `response.body` as `send` does. The file is left only when it holds a whole 2xx body: a failed or
    /// refused download removes it.
    ///
    /// A 2xx answer whose Content-Length is missing or differs from the bytes written throws a retryable
    /// `TransportError(.connection, …)`: an answer cut off short is not a download.
    public func download(_ request: HTTPRequest, to path: String) async throws -> HTTPDownload {
        try Task.checkCancellation()
        let options = options
        let trust = trust
        let pool = pool
        return try await onOwnThread { cancellation in
            let file = try DownloadFile(path: path)
            var whole = false
            defer { if !whole { unlink(path) } }
            let handle = try pool.take()
            defer { pool.giveBack(handle) }
            let response = try handle.perform(request, options: options, trust: trust, cancellation: cancellation, download: file)
            guard (200..<300).contains(response.status) else {
                return HTTPDownload(response: response, size: 0, sha256: [])
            }
            let server = CurlError.serverPart(of: request.url)
            guard let expected = response.header("content-length").flatMap({ Int64($0) }) else {
                throw TransportError(.connection, "the answer from \(server) has no Content-Length; \(file.written) bytes arrived")
            }
            guard expected == file.written else {
                throw TransportError(.connection, "the answer from \(server) was cut off: \(file.written) of \(expected) bytes arrived")
            }
            whole = true
            return HTTPDownload(response: response, size: file.written, sha256: file.finish())
        }
    }
}

/// The file a download writes a 2xx answer's body into, hashing the bytes on the way: the SHA-256 runs on a
/// thread beside the transfer's (``DigestRelay``), so receiving and writing never wait for it. Used on the
/// transfer's own thread only.
final class DownloadFile {
    /// The buffers the written bytes are copied into for the SHA-256 thread: 4 × 256 KiB.
    static let relayBuffers = 4
    static let relayBufferSize = 256 << 10

    let path: String
    private let descriptor: Int32
    private let relay = DigestRelay(.sha256, buffers: relayBuffers, size: relayBufferSize)
    private(set) var written: Int64 = 0

    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw TransportError(.local, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        fchmod(descriptor, 0o600)
        self.path = path
        // At the transfer thread's own priority (a polite restore stays polite).
        relay.digestOnPoolThread(priority: ThreadPriority.ofCurrentThread())
    }

    deinit {
        relay.abandon()  // ends the digest thread of a download that failed; nothing to a finished one
        close(descriptor)
    }

    /// Appends `data` to the file; the error when it cannot.
    func write(_ data: UnsafeRawBufferPointer) -> TransportError? {
        var done = 0
        while done < data.count {
            let result = Foundation.write(descriptor, data.baseAddress! + done, data.count - done)
            if result < 0 {
                if errno == EINTR { continue }
                return TransportError(.local, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += result
        }
        relay.copy(data)
        written += Int64(data.count)
        return nil
    }

    /// The SHA-256 of every byte written; called once, at the end.
    func finish() -> [UInt8] {
        relay.finish()
        return relay.awaitDigest() ?? []
    }
}
