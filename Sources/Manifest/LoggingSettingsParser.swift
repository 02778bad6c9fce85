/// Reads the `logging` block, Cloud Foundry's `logging: {format: {timestamp: rfc3339 | unix-epoch}}`.
enum LoggingSettingsParser {
    static func timestampFormat(in settings: ManifestMap) throws -> String? {
        let key = ManifestSchema.Settings.logTimestampFormat
        // The maps on the way to the key: `logging`, then `format`.
        var map: ManifestMap? = settings
        for name in key.path.split(separator: ".").dropLast() {
            map = try map?.map(named: String(name))
        }
        return try map?.string(key)
    }
}
