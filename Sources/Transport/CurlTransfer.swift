import CCurl
import Foundation

/// The state of one transfer that libcurl's callbacks read and write. Lives on the transfer's own
/// thread only, for the duration of `curl_easy_perform`.
final class CurlTransfer {
    enum Source {
        case empty
        case bytes([UInt8])
        case file(descriptor: Int32, path: String, offset: Int64, length: Int64)
    }

    /// Responses are small XML or JSON documents; anything bigger is refused rather than held in memory.
    static let maxResponseBody = 16 << 20

    let source: Source
    let cancellation: CancellationFlag
    let stallTimeout: Duration
    /// Where a 2xx answer's body goes instead of `body`, for a download.
    let download: DownloadFile?
    var sent: Int64 = 0
    /// The status of the answer being received, from its status line.
    var status: Int?
    var headers: [String: String] = [:]
    /// Whether the answer's header block arrived whole, up to its blank line. libcurl reports a connection
    /// closed inside the header block as a success; this tells such an answer from a real one.
    var headerBlockEnded = false
    var body: [UInt8] = []
    /// Why a callback stopped the transfer, if one did.
    var failure: TransportError?
    private var lastProgress: (bytes: Int64, at: ContinuousClock.Instant)

    init(source: Source, cancellation: CancellationFlag, stallTimeout: Duration, download: DownloadFile? = nil) {
        self.source = source
        self.cancellation = cancellation
        self.stallTimeout = stallTimeout
        self.download = download
        self.lastProgress = (0, ContinuousClock.now)
    }

    /// Fills `buffer` with the next bytes of the body; 0 at its end.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        switch source {
        case .empty:
            return 0
        case .bytes(let bytes):
            let count = min(capacity, bytes.count - Int(sent))
            guard count > 0 else { return 0 }
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + Int(sent), byteCount: count)
            }
            sent += Int64(count)
            return count
        case .file(let descriptor, let path, let offset, let length):
            let remaining = Int(min(Int64(capacity), length - sent))
            guard remaining > 0 else { return 0 }
            let wanted = cancellation.admit(upTo: remaining)
            if wanted == 0 {
                failure = TransportError(.cancelled, "the transfer was cancelled")
                return sb_curl_readfunc_abort
            }
            var got = -1
            repeat { got = pread(descriptor, buffer, wanted, off_t(offset + sent)) } while got < 0 && errno == EINTR
            if got < 0 {
                failure = TransportError(.local, "cannot read \(path): \(String(cString: strerror(errno)))")
                return sb_curl_readfunc_abort
            }
            if got == 0 {
                failure = TransportError(.local, "\(path) became shorter while it was being uploaded")
                return sb_curl_readfunc_abort
            }
            sent += Int64(got)
            cancellation.didRead(got)
            return got
        }
    }

    /// libcurl rewinds when it must send the body again (a reused connection that turned out dead).
    func seek(to position: Int64) -> Bool {
        guard position >= 0, position <= sourceLength else { return false }
        sent = position
        return true
    }

    private var sourceLength: Int64 {
        switch source {
        case .empty: 0
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, _, _, let length): length
        }
    }

    /// One line of the answer's header block as libcurl hands it over, its CRLF included.
    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        let trimmed = Self.trimmingSpace(line[...])
        if trimmed.starts(with: "HTTP/".utf8) {
            // A new response begins (after a 100 Continue, say): forget the previous one's headers.
            headers = [:]
            headerBlockEnded = false
            status = String(decoding: trimmed, as: UTF8.self).split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return
        }
        if trimmed.isEmpty, status != nil, line.last == 0x0A {
            headerBlockEnded = true
            return
        }
        guard let colon = trimmed.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: Self.trimmingSpace(trimmed[..<colon]), as: UTF8.self).lowercased()
        headers[name] = String(decoding: Self.trimmingSpace(trimmed[(colon + 1)...]), as: UTF8.self)
    }

    /// `bytes` without the spaces, tabs, CRs and LFs at either end.
    private static func trimmingSpace(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }

    func receiveBody(_ data: UnsafeRawBufferPointer) -> Bool {
        if let download, let status, (200..<300).contains(status) {
            failure = download.write(data)
            return failure == nil
        }
        guard body.count + data.count <= Self.maxResponseBody else {
            failure = TransportError(.local, "the response body is larger than \(Self.maxResponseBody) bytes")
            return false
        }
        body.append(contentsOf: data)
        return true
    }

    /// Why libcurl's minimum-speed rule stopped the transfer, in the words the stall check uses when nothing moved.
    func tooSlow() -> TransportError {
        if ContinuousClock.now - lastProgress.at >= stallTimeout * 0.9 {
            return TransportError(.stalled, "no data moved for \(stallTimeout)", idleBeforeFailure: stallTimeout)
        }
        return TransportError(
            .stalled, "fewer than \(HTTPClientOptions.minimumSpeed) bytes a second moved for \(stallTimeout)",
            idleBeforeFailure: stallTimeout)
    }

    /// Called by libcurl about once a second and on every chunk moved; false stops the transfer.
    func progress(moved: Int64) -> Bool {
        if cancellation.isCancelled {
            failure = TransportError(.cancelled, "the transfer was cancelled")
            return false
        }
        let now = ContinuousClock.now
        if moved != lastProgress.bytes {
            lastProgress = (moved, now)
        } else if now - lastProgress.at >= stallTimeout {
            failure = TransportError(.stalled, "no data moved for \(stallTimeout)", idleBeforeFailure: stallTimeout)
            return false
        }
        return true
    }
}
