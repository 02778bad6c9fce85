import Foundation
import Logging
import Synchronization
import Testing
@testable import LagerLog

final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var sink: LineSink { LineSink { line in self.lines.withLock { $0.append(line) } } }
}

func makeLogger(_ captured: CapturedLines) -> Logger {
    Logger(label: "test") { _ in
        LagerLogHandler(source: "ServiceBackup", sink: captured.sink) {
            WallClockTime(seconds: 1_700_000_000, nanoseconds: 123_456_789)
        }
    }
}

@Test func writesTheContractLineShape() throws {
    let captured = CapturedLines()
    var logger = makeLogger(captured)
    logger[metadataKey: "backup_guid"] = "g-1"
    logger[metadataKey: "identifier"] = "redis-1"
    logger.info("Perform backup started")
    #expect(captured.all == [
        #"{"timestamp":"1700000000.123456789","source":"ServiceBackup","message":"ServiceBackup.WithIdentifier.Perform backup started","log_level":1,"data":{"backup_guid":"g-1","identifier":"redis-1"}}"#,
    ])
}

@Test func noIdentifierMeansNoSession() throws {
    let captured = CapturedLines()
    let logger = makeLogger(captured)
    logger.error("Upload backup completed with error", metadata: ["error": "boom"])
    let line = try #require(captured.all.first)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["message"] as? String == "ServiceBackup.Upload backup completed with error")
    #expect(object["log_level"] as? Int == 2)
    #expect((object["data"] as? [String: Any])?["error"] as? String == "boom")
}

@Test func levelsMapToLager() {
    #expect(LagerLogHandler.lagerLevel(.debug) == 0)
    #expect(LagerLogHandler.lagerLevel(.info) == 1)
    #expect(LagerLogHandler.lagerLevel(.warning) == 1)
    #expect(LagerLogHandler.lagerLevel(.error) == 2)
    #expect(LagerLogHandler.lagerLevel(.critical) == 3)
}

@Test func numbersStayNumbersAndTextIsEscaped() throws {
    let captured = CapturedLines()
    let logger = makeLogger(captured)
    logger.info("done", metadata: [
        "size_in_bytes": .stringConvertible(Int64(42)),
        "duration_in_seconds": .stringConvertible(1.5),
        "note": "a \"quoted\"\nline\u{1}",
    ])
    let line = try #require(captured.all.first)
    #expect(line.contains(#""size_in_bytes":42"#))
    #expect(line.contains(#""duration_in_seconds":1.5"#))
    #expect(line.contains(#""note":"a \"quoted\"\nline\u0001""#))
    #expect(!line.contains("\n"))
    #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
}

@Test func timestampsKeepNineFractionDigits() {
    #expect(WallClockTime(seconds: 5, nanoseconds: 7).lagerTimestamp == "5.000000007")
}

@Test func concurrentLinesStayWhole() async throws {
    let captured = CapturedLines()
    let logger = makeLogger(captured)
    await withTaskGroup(of: Void.self) { group in
        for task in 0..<8 {
            group.addTask {
                for index in 0..<200 { logger.info("line", metadata: ["task": "\(task)", "index": "\(index)"]) }
            }
        }
    }
    #expect(captured.all.count == 1600)
    for line in captured.all {
        #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
    }
}
