/// The two line formats of lager, named as Cloud Foundry's `logging.format.timestamp` setting names them.
///
/// - `unixEpoch`, lager's classic line: `{"timestamp":"1700000000.123456789","source":…,"message":…,"log_level":1,"data":{…}}`.
/// - `rfc3339`, lager's "pretty" line: `{"timestamp":"2026-01-02T03:04:05.123456789Z","level":"info","source":…,"message":…,"data":{…}}`.
///
/// Both carry the same source, message and data; they differ in the timestamp and in how the level is written.
public enum LogTimestampFormat: String, Sendable, CaseIterable {
    case rfc3339 = "rfc3339"
    case unixEpoch = "unix-epoch"

    /// The format of the daemon's lines when neither flag nor manifest chooses one.
    public static let daemonDefault = LogTimestampFormat.rfc3339
    /// The format of one-shot commands' lines (`backup`, `manual-backup`, …) when neither chooses one.
    public static let commandDefault = LogTimestampFormat.unixEpoch

    /// The timestamp of `time` in this format.
    func timestamp(_ time: WallClockTime) -> String {
        switch self {
        case .unixEpoch: time.lagerTimestamp
        case .rfc3339: time.rfc3339Timestamp
        }
    }

    /// The level field, named and valued as lager writes it in this format.
    func levelField(_ level: Int) -> (name: String, value: String) {
        switch self {
        case .unixEpoch: ("log_level", String(level))
        case .rfc3339: ("level", JSONLine.quoted(Self.levelNames[level]))
        }
    }

    /// lager's `LogLevel.String()`, indexed by level.
    static let levelNames = ["debug", "info", "error", "fatal"]
}
