extension ManifestSchema {
    /// The names a settings map may hold at its top level (`destinations`, `cron_schedule`, `alerts`, …), in
    /// catalog order: the first component of every key that is not inside a destination entry or its config.
    public static var topLevelNames: [String] {
        var names: [String] = []
        for key in keys where !key.path.contains("[]") && !destinationTypes.contains(where: { key.path.hasPrefix($0 + ".") }) {
            let name = String(key.path.split(separator: ".").first ?? Substring(key.path))
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}
