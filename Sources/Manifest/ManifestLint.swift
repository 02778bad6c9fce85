import Foundation
import Yams

/// What a manifest says that parses but is probably not what its author meant: keys the daemon does not read
/// (with the nearest known key), BOSH variables left un-interpolated, and quotes in commands that are split on
/// spaces. Each warning names the key; none shows a secret's value.
struct ManifestLint {
    private(set) var warnings: [String] = []

    /// Keys a BOSH job takes as properties for itself; they reach a BOSH deployment manifest's settings legitimately.
    static let jobOnlyProperties = ["drain_max_wait"]

    static func warnings(in settings: ManifestMap) -> [String] {
        var lint = ManifestLint()
        lint.check(settings)
        lint.checkCommands(settings)
        return lint.warnings
    }

    // MARK: Unknown keys

    /// Catalog paths of `scope` (``ManifestSchema`` keys with their aliases), relative to it.
    static func known(in scope: String?) -> [String] {
        let types = ManifestSchema.destinationTypes
        var paths: [String] = []
        for key in ManifestSchema.keys {
            for path in [key.path] + key.aliases {
                switch scope {
                case nil:
                    if !path.contains("[]"), !types.contains(where: { path.hasPrefix($0 + ".") }) { paths.append(path) }
                case let scope?:
                    if path.hasPrefix(scope + ".") { paths.append(String(path.dropFirst(scope.count + 1))) }
                }
            }
        }
        return scope == nil ? paths + jobOnlyProperties : paths
    }

    private mutating func check(_ settings: ManifestMap) {
        let known = Self.known(in: nil)
        for (keyNode, value) in settings.mapping {
            guard let name = keyNode.scalar?.string else { continue }
            switch (name, value) {
            case (ManifestSchema.Settings.destinations.name, .sequence(let entries)):
                for (index, entry) in entries.enumerated() {
                    if case .mapping(let mapping) = entry {
                        checkEntry(ManifestMap(mapping, path: "\(settings.keyPath(name))[\(index)]", file: settings.file))
                    }
                }
            case (ManifestSchema.Settings.legacyDestination.name, .mapping(let legacy)):
                for (typeNode, config) in legacy {
                    guard let type = typeNode.scalar?.string, case .mapping(let mapping) = config else { continue }
                    checkConfig(ManifestMap(mapping, path: settings.keyPath("\(name).\(type)"), file: settings.file), type: type)
                }
            case (ManifestSchema.Settings.legacyBlobstore.name, .mapping(let mapping)):
                checkConfig(ManifestMap(mapping, path: settings.keyPath(name), file: settings.file), type: "s3")
            default:
                check(name, value, in: settings, known: known, prefix: "")
            }
        }
    }

    private mutating func checkEntry(_ entry: ManifestMap) {
        let type = entry.node(named: ManifestSchema.Entry.type.name)?.scalar?.string.lowercased()
        let name = entry.node(named: ManifestSchema.Entry.name.name)?.scalar?.string
        let label = DestinationLabel.text(path: entry.path, name: name, type: type)
        let known = Self.known(in: "destinations[]")
        for (keyNode, value) in entry.mapping {
            guard let key = keyNode.scalar?.string else { continue }
            if key == ManifestSchema.Entry.config.name {
                if let type, ManifestSchema.destinationTypes.contains(type), case .mapping(let mapping) = value {
                    checkConfig(ManifestMap(mapping, path: "\(label): \(key)", file: entry.file), type: type)
                }
                continue
            }
            let inEntry = ManifestMap(entry.mapping, path: label + ":", file: entry.file)
            // A setting of the type one level too high, perhaps misspelt too.
            let typeKeys = type.map { Self.known(in: $0).filter { !$0.contains(".") } } ?? []
            let fields = known.map { String($0.split(separator: ".").first ?? "") }
            if !known.contains(key), KeySuggestion.nearest(to: key, in: fields) == nil,
               let meant = typeKeys.contains(key) ? key : KeySuggestion.nearest(to: key, in: typeKeys) {
                warnings.append("\(keyPath(inEntry, key)) is not a setting of a destinations entry (type, name, config), "
                    + "and is ignored; did you mean config.\(meant)?")
                scan(value, path: keyPath(inEntry, key))
                continue
            }
            check(key, value, in: inEntry, known: known, prefix: "", what: "a destinations entry")
        }
    }

    private mutating func checkConfig(_ config: ManifestMap, type: String) {
        let known = Self.known(in: type)
        for (keyNode, value) in config.mapping {
            guard let key = keyNode.scalar?.string else { continue }
            check(key, value, in: config, known: known, prefix: "", what: "\(type) destinations")
        }
    }

    /// `name` in `map`, at `prefix + name` of the scope whose `known` paths are given: known, a map on the way
    /// to known keys (checked inside), or unknown.
    private mutating func check(
        _ name: String, _ value: Node, in map: ManifestMap, known: [String], prefix: String, what: String = "service-backup"
    ) {
        let relative = prefix + name
        if known.contains(relative) {
            scan(value, path: keyPath(map, name))
            return
        }
        if known.contains(where: { $0.hasPrefix(relative + ".") }), case .mapping(let mapping) = value {
            let inner = ManifestMap(mapping, path: keyPath(map, name), file: map.file)
            for (keyNode, innerValue) in mapping {
                guard let key = keyNode.scalar?.string else { continue }
                check(key, innerValue, in: inner, known: known, prefix: relative + ".", what: what)
            }
            return
        }
        var names: [String] = []
        for path in known where path.hasPrefix(prefix) {
            let next = String(path.dropFirst(prefix.count).split(separator: ".").first ?? "")
            if !next.isEmpty, !names.contains(next) { names.append(next) }
        }
        let hint = KeySuggestion.nearest(to: name, in: names).map { "; did you mean \($0)?" } ?? ""
        warnings.append("\(keyPath(map, name)) is not a setting of \(what), and is ignored\(hint)")
        scan(value, path: keyPath(map, name))
    }

    /// `destinations[1] "archive" (s3): type` inside an entry, `a.b` elsewhere.
    private func keyPath(_ map: ManifestMap, _ name: String) -> String {
        map.path.hasSuffix(":") ? "\(map.path) \(name)" : map.keyPath(name)
    }

    // MARK: Values

    static let secretNames = Set(ManifestSchema.keys.filter(\.secret).flatMap { [$0.name] + $0.aliasNames })
    /// `((name))`: a BOSH variable's placeholder.
    static func boshVariable(in text: String) -> Substring? {
        text.firstMatch(of: /\(\([A-Za-z0-9_.\/\-]+\)\)/)?.output
    }

    /// Every scalar of `node`, the value at `path`: a `((variable))` left by a manifest that did not go through BOSH.
    private mutating func scan(_ node: Node, path: String) {
        switch node {
        case .mapping(let mapping):
            for (keyNode, value) in mapping {
                guard let key = keyNode.scalar?.string else { continue }
                scan(value, path: "\(path).\(key)")
            }
        case .sequence(let sequence):
            for (index, element) in sequence.enumerated() { scan(element, path: "\(path)[\(index)]") }
        case .scalar(let scalar):
            guard let variable = Self.boshVariable(in: scalar.string) else { return }
            let leaf = ManifestKey.leaf(of: path)
            let shown = Self.secretNames.contains(leaf) ? "a BOSH variable" : "the BOSH variable \(variable)"
            warnings.append("\(path) holds \(shown), never interpolated: deploy the manifest with BOSH, "
                + "or run `bosh interpolate` with the variables first")
        case .alias:
            return
        }
    }

    /// Commands are split on spaces and run without a shell: quotes reach the program as part of its arguments.
    private mutating func checkCommands(_ settings: ManifestMap) {
        typealias Keys = ManifestSchema.Settings
        for key in [Keys.sourceExecutable, Keys.cleanupExecutable, Keys.serviceIdentifierExecutable] {
            guard let command = try? settings.string(key), command.contains(where: { $0 == "\"" || $0 == "'" }) else {
                continue
            }
            warnings.append("\(settings.keyPath(key.name)) holds quotes, but commands are split on spaces and run "
                + "without a shell: the quotes reach the program inside its arguments; put the command in a script")
        }
    }
}
