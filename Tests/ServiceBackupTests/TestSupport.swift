import Foundation
import LagerLog
import Logging
import Synchronization

/// A private temporary folder, removed when the value goes away.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "service-backup-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true
        )
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target) }
        return target
    }
}

/// Log lines captured as parsed JSON objects.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "ServiceBackup") { _ in
            LagerLogHandler(source: "ServiceBackup", sink: LineSink { line in self.lines.withLock { $0.append(line) } })
        }
    }

    var objects: [[String: Any]] {
        lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var messages: [String] { objects.compactMap { $0["message"] as? String } }

    func data(of message: String) -> [String: Any]? {
        objects.first { ($0["message"] as? String) == message }?["data"] as? [String: Any]
    }
}
