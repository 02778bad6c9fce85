import Foundation
import Yams

/// A map of settings inside the manifest, read only through catalog keys so that types, secrecy
/// and key names come from ``ManifestSchema``.
struct ManifestMap {
    let mapping: Node.Mapping
    /// Where this map sits in the document (`properties.service-backup`, `destinations[0].config`); empty at the top.
    let path: String
    let file: String

    init(_ mapping: Node.Mapping, path: String, file: String) {
        self.mapping = mapping
        self.path = path
        self.file = file
    }

    func keyPath(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func location(of node: Node?) -> ValueLocation {
        ValueLocation(file: file, line: (node?.mark ?? mapping.mark)?.line)
    }

    /// The value stored under `name`; nil when the key is absent or its value is null.
    func node(named name: String) -> Node? {
        for (key, value) in mapping where key.scalar?.string == name {
            return value.isNull ? nil : value
        }
        return nil
    }

    func contains(_ name: String) -> Bool {
        mapping.contains { $0.key.scalar?.string == name }
    }

    /// The key's value under its name or, failing that, one of its older names.
    func lookup(_ key: ManifestKey) -> (name: String, node: Node)? {
        for name in [key.name] + key.aliasNames {
            if let node = node(named: name) { return (name, node) }
        }
        return nil
    }

    /// Absent, null or an empty string: what the original reports as a missing value.
    func isMissing(_ key: ManifestKey) -> Bool {
        guard let (_, node) = lookup(key) else { return true }
        if case .scalar(let scalar) = node { return scalar.string.isEmpty }
        return false
    }

    // MARK: Typed values

    /// The text of a scalar; numbers and booleans are taken as written. Nil when missing or empty.
    func string(_ key: ManifestKey) throws -> String? {
        guard let (name, node) = lookup(key) else { return nil }
        guard case .scalar(let scalar) = node else { throw typeError(key, name, node, "must be a string") }
        if !key.allowedValues.isEmpty, !scalar.string.isEmpty {
            guard let allowed = key.allowedValues.first(where: { $0.lowercased() == scalar.string.lowercased() })
            else {
                let list = key.allowedValues.joined(separator: ", ")
                throw typeError(key, name, node, "must be one of \(list)")
            }
            return allowed
        }
        return scalar.string.isEmpty ? nil : scalar.string
    }

    func secret(_ key: ManifestKey) throws -> Secret? {
        try string(key).map(Secret.init)
    }

    func boolean(_ key: ManifestKey) throws -> Bool? {
        guard let (name, text, node) = try scalarText(key, expecting: "must be true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "t", "1": return true
        case "false", "no", "off", "f", "0": return false
        default: throw typeError(key, name, node, "must be true or false")
        }
    }

    func integer(_ key: ManifestKey, in range: ClosedRange<Int>) throws -> Int? {
        let expectation = "must be a whole number"
        guard let (name, text, node) = try scalarText(key, expecting: expectation) else { return nil }
        guard let value = Int(text) else { throw typeError(key, name, node, expectation) }
        guard range.contains(value) else {
            throw typeError(key, name, node, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func number(
        _ key: ManifestKey, atLeast minimum: Double, orMoreThan strict: Bool = false, atMost maximum: Double? = nil
    ) throws -> Double? {
        let expectation = "must be a number"
        guard let (name, text, node) = try scalarText(key, expecting: expectation) else { return nil }
        guard let value = Double(text), value.isFinite else { throw typeError(key, name, node, expectation) }
        guard strict ? value > minimum : value >= minimum else {
            let bound = Self.show(minimum)
            throw typeError(key, name, node, strict ? "must be more than \(bound)" : "must be at least \(bound)")
        }
        if let maximum, value > maximum {
            throw typeError(key, name, node, "must be at most \(Self.show(maximum))")
        }
        return value
    }

    /// A bound as written in an error: `0`, `86400`, `0.5`.
    private static func show(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }

    /// See ``ByteSize`` for the accepted forms.
    func size(_ key: ManifestKey, in range: ClosedRange<Int64>) throws -> Int64? {
        let expectation = "must be a size in bytes such as 8388608, 8MiB or 8MB"
        guard let (name, text, node) = try scalarText(key, expecting: expectation) else { return nil }
        if text.trimmingCharacters(in: .whitespaces).hasPrefix("-") {
            throw typeError(key, name, node, "must be a positive size")
        }
        guard let bytes = ByteSize.parse(text) else { throw typeError(key, name, node, expectation) }
        guard range.contains(bytes) else {
            let bounds = "from \(ByteSize.format(range.lowerBound)) to \(ByteSize.format(range.upperBound))"
            throw typeError(key, name, node, "must be \(bounds)")
        }
        return bytes
    }

    /// The map under `name`; nil when absent or null. `separator` joins this map's path and `name` (a destination
    /// entry's label and `config` take a space: `destinations[1] "archive" (s3): config`).
    func map(named name: String, secret: Bool = false, separator: String = ".") throws -> ManifestMap? {
        guard let node = node(named: name) else { return nil }
        let path = path.isEmpty ? name : path + separator + name
        guard case .mapping(let mapping) = node else {
            throw ManifestError.value(
                path, "must be a map of settings, got \(Self.describe(node, secret: secret))", at: location(of: node))
        }
        return ManifestMap(mapping, path: path, file: file)
    }

    /// The list under `name`; nil when absent or null.
    func list(named name: String) throws -> [Node]? {
        guard let node = node(named: name) else { return nil }
        guard case .sequence(let sequence) = node else {
            throw ManifestError.value(
                keyPath(name), "must be a list, got \(Self.describe(node, secret: false))", at: location(of: node))
        }
        return Array(sequence)
    }

    // MARK: Errors

    private func scalarText(_ key: ManifestKey, expecting: String) throws -> (String, String, Node)? {
        guard let (name, node) = lookup(key) else { return nil }
        guard case .scalar(let scalar) = node else { throw typeError(key, name, node, expecting) }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : (name, text, node)
    }

    func typeError(_ key: ManifestKey, _ name: String, _ node: Node, _ expectation: String) -> ManifestError {
        ManifestError.value(
            keyPath(name), "\(expectation), got \(Self.describe(node, secret: key.secret))", at: location(of: node))
    }

    /// How a wrong value is shown in an error: a secret's text never is.
    static func describe(_ node: Node, secret: Bool) -> String {
        switch node {
        case .mapping: return "a map"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if secret { return "a value that is not shown because the key is secret" }
            let text = scalar.string
            let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
            return "\"\(shown.replacingOccurrences(of: "\n", with: "\\n"))\""
        }
    }
}

extension Node {
    /// A YAML null: `~`, `null`, `!!null`, or nothing at all (plain, not quoted).
    var isNull: Bool {
        guard case .scalar(let scalar) = self else { return false }
        if scalar.tag.description == Tag.Name.null.rawValue { return true }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }
}
