import ArgumentParser
import Foundation
import Manifest

/// Prints the catalog of manifest keys the parser reads: the source of spec.yml's and the README's reference.
struct ConfigReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-reference",
        abstract: "Print every manifest key the daemon reads, as Markdown tables or JSON.",
        shouldDisplay: false
    )

    @Flag(help: "Print a JSON list of {path, type, required, secret, default, summary, allowed, aliases, ignored}.")
    var json = false

    func run() throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(ManifestSchema.keys.map(Entry.init)), as: UTF8.self))
        } else {
            print(markdown())
        }
    }

    struct Entry: Encodable {
        var path: String
        var type: String
        var required: Bool
        var secret: Bool
        var `default`: String?
        var summary: String
        var allowed: [String]
        var aliases: [String]
        var ignored: Bool

        init(_ key: ManifestKey) {
            path = key.path
            type = key.type.rawValue
            required = key.required
            secret = key.secret
            self.default = key.defaultValue
            summary = key.summary
            allowed = key.allowedValues
            aliases = key.aliases
            ignored = key.ignored
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(type, forKey: .type)
            try container.encode(required, forKey: .required)
            try container.encode(secret, forKey: .secret)
            try container.encode(self.default, forKey: .default)
            try container.encode(summary, forKey: .summary)
            try container.encode(allowed, forKey: .allowed)
            try container.encode(aliases, forKey: .aliases)
            try container.encode(ignored, forKey: .ignored)
        }

        enum CodingKeys: String, CodingKey { case path, type, required, secret, `default`, summary, allowed, aliases, ignored }
    }

    /// One table per section: top-level keys, then each destination type.
    func markdown() -> String {
        let sections: [(String, [ManifestKey])] = [("Top level", ManifestSchema.keys.filter { key in
            !ManifestSchema.destinationTypes.contains { key.path.hasPrefix($0 + ".") }
        })] + ManifestSchema.destinationTypes.map { type in
            ("`type: \(type)`", ManifestSchema.keys.filter { $0.path.hasPrefix(type + ".") })
        }
        return sections.map { title, keys in
            var lines = ["### \(title)", "", "| key | type | default | required | description |", "|---|---|---|---|---|"]
            for key in keys {
                var notes = key.summary.replacingOccurrences(of: "|", with: "\\|")
                if key.secret { notes += " Secret." }
                if !key.allowedValues.isEmpty { notes += " One of: " + key.allowedValues.map { "`\($0)`" }.joined(separator: ", ") + "." }
                let value = key.defaultValue.map { $0.isEmpty ? "" : "`\($0)`" } ?? ""
                lines.append("| `\(key.path)` | \(key.type.rawValue) | \(value) | \(key.required ? "yes" : "") | \(notes) |")
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}
