/// Where a daemon records what its runs did: the status file (`state_dir`) and the Prometheus text file (`metrics_file`).
public struct StatusSettings: Sendable, Equatable {
    /// The folder of the status file; nil means the default (see `StatusLocation` in ServiceBackup).
    public var stateDir: String?
    /// The Prometheus text file node_exporter's textfile collector reads; nil means none is written.
    public var metricsFile: String?

    public init(stateDir: String? = nil, metricsFile: String? = nil) {
        self.stateDir = stateDir
        self.metricsFile = metricsFile
    }

    static func parse(_ settings: ManifestMap) throws -> StatusSettings {
        typealias Keys = ManifestSchema.Settings
        let stateDir = try absolutePath(Keys.stateDir, in: settings)
        let metricsFile = try absolutePath(Keys.metricsFile, in: settings)
        if let metricsFile, !metricsFile.hasSuffix(".prom") || metricsFile.hasSuffix("/.prom") {
            throw problem(Keys.metricsFile, in: settings,
                          "must name a file ending in .prom (node_exporter's textfile collector reads only those), got \"\(metricsFile)\"")
        }
        return StatusSettings(stateDir: stateDir, metricsFile: metricsFile)
    }

    private static func absolutePath(_ key: ManifestKey, in settings: ManifestMap) throws -> String? {
        guard let path = try settings.string(key) else { return nil }
        guard path.hasPrefix("/") else { throw problem(key, in: settings, "must be an absolute path, got \"\(path)\"") }
        return path
    }

    private static func problem(_ key: ManifestKey, in settings: ManifestMap, _ text: String) -> ManifestError {
        ManifestError.value(settings.keyPath(key.name), text, at: settings.location(of: settings.node(named: key.name)))
    }
}
