import Logging

/// A swift-log handler that writes lager-compatible JSON lines, classic (`format` ``LogTimestampFormat/unixEpoch``):
/// `{"timestamp":"…","source":"ServiceBackup","message":"ServiceBackup.WithIdentifier.<event>","log_level":1,"data":{…}}`,
/// or pretty (``LogTimestampFormat/rfc3339``), fields in lager's order:
/// `{"timestamp":"2026-01-02T03:04:05.123456789Z","level":"info","source":"ServiceBackup","message":…,"data":{…}}`.
///
/// The message is the source, then `WithIdentifier` when the metadata holds an `identifier`, then the event.
/// Metadata becomes `data`; an event's `error` becomes `data.error`.
public struct LagerLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    private let source: String
    private let sink: LineSink
    private let clock: @Sendable () -> WallClockTime
    private let format: LogTimestampFormat

    /// - Parameters:
    ///   - source: lager's component name, the first part of every message.
    ///   - sink: where complete lines go; standard output by default.
    ///   - format: classic (`unix-epoch`) or pretty (`rfc3339`) lines.
    public init(
        source: String, sink: LineSink = .standardOutput, format: LogTimestampFormat = .unixEpoch,
        clock: @escaping @Sendable () -> WallClockTime = WallClockTime.now
    ) {
        self.source = source
        self.sink = sink
        self.format = format
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var data = metadata
        if let provided = metadataProvider?.get() { data.merge(provided) { _, new in new } }
        if let extra = event.metadata { data.merge(extra) { _, new in new } }
        if let error = event.error, data["error"] == nil { data["error"] = .string("\(error)") }

        let session = data["identifier"] == nil ? "" : ".WithIdentifier"
        // lager's field orders: timestamp, source, message, log_level, data (classic);
        // timestamp, level, source, message, data (pretty).
        let level = format.levelField(Self.lagerLevel(event.level))
        var line = JSONLine()
        line.field("timestamp", string: format.timestamp(clock()))
        if format == .rfc3339 { line.field(level.name, raw: level.value) }
        line.field("source", string: source)
        line.field("message", string: "\(source)\(session).\(event.message)")
        if format == .unixEpoch { line.field(level.name, raw: level.value) }
        line.field("data", raw: JSONLine.object(data))
        sink.write(line.finish())
    }

    /// lager's levels: 0 debug, 1 info, 2 error, 3 fatal.
    static func lagerLevel(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 0
        case .info, .notice, .warning: 1
        case .error: 2
        case .critical: 3
        }
    }
}
