import Foundation
import Logging
import Testing
@testable import LagerLog

private func makeLogger(_ captured: CapturedLines, format: LogTimestampFormat, nanoseconds: Int = 123_456_789) -> Logger {
    Logger(label: "test") { _ in
        LagerLogHandler(source: "ServiceBackup", sink: captured.sink, format: format) {
            WallClockTime(seconds: 1_767_323_045, nanoseconds: nanoseconds)  // 2026-01-02T03:04:05Z
        }
    }
}

private func parsed(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

@Test func prettyLinesHaveLagersFieldsInLagersOrder() throws {
    let captured = CapturedLines()
    var logger = makeLogger(captured, format: .rfc3339)
    logger[metadataKey: "backup_guid"] = "g-1"
    logger.info("Upload backup started")
    #expect(captured.all == [
        #"{"timestamp":"2026-01-02T03:04:05.123456789Z","level":"info","source":"ServiceBackup","message":"ServiceBackup.Upload backup started","data":{"backup_guid":"g-1"}}"#,
    ])
}

@Test func prettyErrorLinesCarryTheErrorInData() throws {
    let captured = CapturedLines()
    let logger = makeLogger(captured, format: .rfc3339)
    logger.error("Upload backup completed with error", metadata: ["error": "boom"])
    logger.critical("gave up")
    logger.debug("hidden at info")
    let lines = try captured.all.map(parsed)
    #expect(lines.count == 2)
    #expect(lines[0]["level"] as? String == "error")
    #expect(lines[0]["log_level"] == nil)
    #expect((lines[0]["data"] as? [String: Any])?["error"] as? String == "boom")
    #expect(lines[1]["level"] as? String == "fatal")
}

@Test func everyLevelHasItsPrettyName() throws {
    let captured = CapturedLines()
    var logger = makeLogger(captured, format: .rfc3339)
    logger.logLevel = .trace
    for level in [Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical] {
        logger.log(level: level, "l")
    }
    let levels = try captured.all.map { try parsed($0)["level"] as? String }
    #expect(levels == ["debug", "debug", "info", "info", "info", "error", "fatal"])
}

@Test func classicFormatIsTheDefaultAndUnchanged() throws {
    let captured = CapturedLines()
    let logger = Logger(label: "test") { _ in
        LagerLogHandler(source: "ServiceBackup", sink: captured.sink) { WallClockTime(seconds: 5, nanoseconds: 7) }
    }
    logger.info("x")
    #expect(captured.all == [#"{"timestamp":"5.000000007","source":"ServiceBackup","message":"ServiceBackup.x","log_level":1,"data":{}}"#])
}

@Test func rfc3339TimestampsAreUTCWithNineFractionDigits() {
    #expect(WallClockTime(seconds: 0, nanoseconds: 0).rfc3339Timestamp == "1970-01-01T00:00:00.000000000Z")
    #expect(WallClockTime(seconds: 1_767_323_045, nanoseconds: 7).rfc3339Timestamp == "2026-01-02T03:04:05.000000007Z")
    // A leap day, and the last nanosecond of a year.
    #expect(WallClockTime(seconds: 1_709_251_199, nanoseconds: 999_999_999).rfc3339Timestamp == "2024-02-29T23:59:59.999999999Z")
    #expect(WallClockTime(seconds: 1_735_689_599, nanoseconds: 1).rfc3339Timestamp == "2024-12-31T23:59:59.000000001Z")
}

@Test func formatsAreNamedAsCloudFoundryNamesThem() {
    #expect(LogTimestampFormat.allCases.map(\.rawValue).sorted() == ["rfc3339", "unix-epoch"])
    #expect(LogTimestampFormat.daemonDefault == .rfc3339)
    #expect(LogTimestampFormat.commandDefault == .unixEpoch)
}
