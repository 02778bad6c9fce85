import Foundation
import Signing
import Transport

/// The MD5 of a byte range of a file, read in 1 MiB chunks on a thread of its own.
enum FileMD5 {
    static let chunkSize = 1 << 20

    static func of(path: String, offset: Int64, length: Int64) async throws -> [UInt8] {
        try await onOwnThread { cancellation in
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw DestinationError("azure: cannot open \(path) for reading")
            }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            var hasher = MD5Hasher()
            var remaining = length
            while remaining > 0 {
                if cancellation.isCancelled { throw CancellationError() }
                let data = try handle.read(upToCount: Int(min(Int64(chunkSize), remaining))) ?? Data()
                guard !data.isEmpty else {
                    throw DestinationError("azure: \(path) became shorter while it was being uploaded")
                }
                data.withUnsafeBytes { hasher.update($0) }
                remaining -= Int64(data.count)
            }
            return hasher.finish()
        }
    }
}
