import Foundation

/// The arithmetic of a resumable upload: which bytes the next request carries and how it says so, and what
/// the server says it has. Pure, so it is tested alone.
struct GCSChunkPlan: Sendable, Equatable {
    /// The object's size.
    let total: Int64
    /// Bytes per request: a multiple of 256 KiB (every request but the last must carry such a multiple).
    let chunkSize: Int64

    /// The next request's bytes when the server has committed `offset` bytes: up to a chunk from there.
    func chunk(from offset: Int64) -> Range<Int64> {
        let start = min(max(0, offset), total)
        return start..<min(total, start + chunkSize)
    }

    /// Whether sending `chunk` completes the object.
    func isLast(_ chunk: Range<Int64>) -> Bool { chunk.upperBound == total }

    /// The request's `Content-Range`: `bytes 0-262143/*` for a chunk that leaves more to come,
    /// `bytes 262144-300000/300001` for the last, `bytes */300001` for a request with no bytes (the end of an
    /// empty object, or the last bytes already committed).
    func contentRange(_ chunk: Range<Int64>) -> String {
        let size = isLast(chunk) ? String(total) : "*"
        return chunk.isEmpty ? "bytes */\(size)" : "bytes \(chunk.lowerBound)-\(chunk.upperBound - 1)/\(size)"
    }

    /// The `Content-Range` of a status query: what has the server committed of this `total`?
    var statusQueryRange: String { "bytes */\(total)" }

    /// The bytes committed according to a 308 answer's `Range` header (`bytes=0-N`: N + 1 bytes); none
    /// without one. Nil when the header is not of that form.
    static func committed(rangeHeader: String?) -> Int64? {
        guard let header = rangeHeader?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return 0 }
        guard header.hasPrefix("bytes=0-"), let last = Int64(header.dropFirst("bytes=0-".count)), last >= 0 else {
            return nil
        }
        return last + 1
    }

    /// `requested` rounded down to a multiple of 256 KiB, at least 256 KiB.
    static func chunkSize(_ requested: Int64, granularity: Int64) -> Int64 {
        max(granularity, requested / granularity * granularity)
    }
}
