import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where log lines go. Every line is written whole, in one piece, even when many tasks log at once.
public struct LineSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    public func write(_ line: String) { writeLine(line) }

    /// Standard output, one `write(2)` per line under a lock.
    public static let standardOutput = LineSink { line in
        FileDescriptorWriter.standardOutput.write(line + "\n")
    }

    /// Standard error, for commands whose standard output is their answer (`list --json`).
    public static let standardError = LineSink { line in
        FileDescriptorWriter.standardError.write(line + "\n")
    }
}

final class FileDescriptorWriter: Sendable {
    static let standardOutput = FileDescriptorWriter(descriptor: 1)
    static let standardError = FileDescriptorWriter(descriptor: 2)

    private let descriptor: Mutex<Int32>

    init(descriptor: Int32) { self.descriptor = Mutex(descriptor) }

    func write(_ text: String) {
        descriptor.withLock { fd in
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { raw in
                    #if canImport(Glibc)
                    Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    #else
                    Darwin.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    #endif
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
            bytes.removeAll()
        }
    }
}
