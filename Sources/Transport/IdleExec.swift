import CLinux
import Foundation

/// Sleeping in a fresh image of the program: the only way a process running Swift concurrency on Linux goes
/// without wake-ups, since libdispatch's worker-pool monitor fires once a second for the life of the process.
/// The program re-executes itself (same process id, arguments, environment, standard output) and, before any
/// Swift code runs, sleeps until the time or a SIGTERM/SIGINT (CLinux `idle.c`); a stop signal stays pending for
/// the program's own handlers. The new image is told what to resume from: a line of text, and bytes handed over
/// in an inherited memory file (never written to disk).
public enum IdleExec {
    /// The resumed image's view of what the sleeping one handed over.
    public struct Handover: Sendable, Equatable {
        public var line: String
        public var bytes: [UInt8]

        public init(line: String, bytes: [UInt8]) {
            self.line = line
            self.bytes = bytes
        }
    }

    private static let variable = "SERVICE_BACKUP_RESUME"

    /// Re-executes the program to sleep until `time`, handing over `line` (no `;fd=`) and `bytes`. Returns only
    /// when it could not, with the reason; the process then carries on as before.
    public static func sleep(until time: Date, handing line: String, bytes: [UInt8]) -> String {
        let fd = sb_memfd("service-backup-resume")
        guard fd >= 0 else { return "cannot create a memory file: \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return "cannot write the memory file: \(String(cString: strerror(errno)))" }
            written += result
        }
        let seconds = time.timeIntervalSince1970.rounded(.down)
        let nanoseconds = Int(((time.timeIntervalSince1970 - seconds) * 1e9).rounded(.down))
        _ = sb_idle_exec(Int64(seconds), max(0, min(999_999_999, nanoseconds)), "\(line);fd=\(fd)", fd)
        return errno == ECANCELED ? "a stop signal came first" : "cannot re-execute: \(String(cString: strerror(errno)))"
    }

    /// What the previous image handed over, once: the variable is removed from the environment (children never
    /// see it) and the memory file read and closed. Nil when this process was not resumed from an idle sleep.
    public static func takeHandover() -> Handover? {
        guard let value = ProcessInfo.processInfo.environment[variable] else { return nil }
        unsetenv(variable)
        guard let range = value.range(of: ";fd=", options: .backwards), let fd = Int32(value[range.upperBound...]), fd > 2 else {
            return nil
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var offset: off_t = 0
        while true {
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            bytes += chunk[0..<got]
            offset += off_t(got)
        }
        return Handover(line: String(value[..<range.lowerBound]), bytes: bytes)
    }
}
