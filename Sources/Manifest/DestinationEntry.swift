import Yams

/// One destination as written in the manifest, before its type's settings are read.
struct DestinationEntry {
    /// The type as written; nil when missing.
    var type: String?
    var name: String?
    /// The `config` map; nil when missing.
    var config: ManifestMap?
    /// The entry's `retention`, when it has one.
    var retention: RetentionSettings?
    /// How missing keys are named in errors: the modern `s3: bucket_name, bucket_path`, or the legacy
    /// form's full property names `service-backup.destination.s3.bucket_name, …`.
    var legacyPropertyPrefix: String?
    /// How errors name a `destinations` entry: `destinations[1] "archive" (s3)`; nil for the legacy forms,
    /// whose errors name their full property path.
    var label: String?

    static let moreThanOneLegacyDestination = ManifestError(
        ManifestError.prefix + "You can only specify one backup destination in the manifest.")

    /// The entries of `destinations`, or of the legacy `destination` / `blobstore` forms.
    static func entries(in settings: ManifestMap, message: String) throws -> [DestinationEntry] {
        let listKey = ManifestSchema.Settings.destinations
        let modern = try (settings.list(named: listKey.name) ?? []).enumerated().map { index, node in
            try entry(node, path: "\(settings.keyPath(listKey.name))[\(index)]", file: settings.file)
        }
        let legacyKey = ManifestSchema.Settings.legacyDestination
        let blobstoreKey = ManifestSchema.Settings.legacyBlobstore
        var legacy: [DestinationEntry] = []
        if let destination = try settings.map(named: legacyKey.name) {
            let types = destination.mapping.keys.compactMap { $0.scalar?.string }
            if types.count > 1 { throw moreThanOneLegacyDestination }
            if let type = types.first {
                legacy.append(DestinationEntry(
                    type: type, config: try destination.map(named: type, secret: true),
                    legacyPropertyPrefix: "service-backup.destination.\(type)."))
            }
        }
        if let blobstore = try settings.map(named: blobstoreKey.name) {
            legacy.append(DestinationEntry(
                type: "s3", config: blobstore, legacyPropertyPrefix: "service-backup.blobstore."))
        }
        if legacy.count > 1 { throw moreThanOneLegacyDestination }
        if !modern.isEmpty, !legacy.isEmpty {
            throw ManifestError.value(
                settings.keyPath(legacyKey.name),
                "cannot be used together with destinations: move it into the destinations list",
                at: settings.location(of: settings.node(named: legacyKey.name)))
        }
        return modern + legacy
    }

    private static func entry(_ node: Node, path: String, file: String) throws -> DestinationEntry {
        guard case .mapping(let mapping) = node else {
            throw ManifestError.value(
                path, "must be a map with type and config, got \(ManifestMap.describe(node, secret: false))",
                at: ValueLocation(file: file, line: node.mark?.line))
        }
        let map = ManifestMap(mapping, path: path, file: file)
        let typeKey = ManifestSchema.Entry.type
        var type: String?
        if let typeNode = map.node(named: typeKey.name) {
            guard case .scalar(let scalar) = typeNode else {
                throw map.typeError(typeKey, typeKey.name, typeNode, "must be a destination type")
            }
            type = scalar.string.isEmpty ? nil : scalar.string
        }
        let name = try map.string(ManifestSchema.Entry.name)
        let label = DestinationLabel.text(path: path, name: name, type: type)
        // Errors inside config name the entry once, then the key: `destinations[1] "archive" (s3): config.region …`.
        let config = try ManifestMap(mapping, path: label + ":", file: file)
            .map(named: ManifestSchema.Entry.config.name, secret: true, separator: " ")
        return DestinationEntry(
            type: type, name: name, config: config, retention: try RetentionSettings.parse(map), label: label)
    }

    /// Checks the entry as the original did (type, known type, config, required keys), then reads its settings.
    func configuration(message: String) throws -> DestinationConfiguration {
        guard let written = type else {
            throw ManifestError.validation("Missing type for destination", message: message, at: label)
        }
        let type = written.lowercased()
        guard ManifestSchema.destinationTypes.contains(type) else {
            throw ManifestError.validation("Unknown destination type: \(written)", message: message, at: label)
        }
        guard let config else { throw ManifestError.validation("Missing config for \(type)", message: message, at: label) }
        let replaced = try CredentialAlternatives.replacedKeys(type: type, config: config)
        let missing = ManifestSchema.requiredConfigKeys(forType: type).filter(config.isMissing).filter { !replaced.contains($0) }
        if !missing.isEmpty {
            let text = if let legacyPropertyPrefix {
                "Missing values for " + missing.map { legacyPropertyPrefix + $0.name }.joined(separator: ", ")
            } else {
                "Missing values for \(type): " + missing.map(\.name).joined(separator: ", ")
            }
            throw ManifestError.validation(text, message: message, at: label)
        }
        let kind = try DestinationSettingsParser.kind(type: type, config: config)
        try CredentialAlternatives.checkNotBoth(type: type, config: config)
        var configuration = DestinationConfiguration(name: name, kind: kind, retention: retention)
        configuration.bandwidthLimit = try config.size(
            ManifestSchema.Politeness.bandwidthLimit(type), in: ManifestSchema.Politeness.bandwidthRange)
        return configuration
    }
}
