import Foundation
import Testing
@testable import Manifest

/// Seeded mutations of valid manifests (structure, types, huge numbers, deep nesting, alias bombs, unicode,
/// binary junk) through the parser `validate` uses: none may crash or hang it, and every rejection must name a
/// key, a line, or (for a file that is empty or not text) the file. `MANIFEST_FUZZ_COUNT` sets how many
/// (1,000 by default; 10,000 under `make soak`), `MANIFEST_FUZZ_SEED` the seed.
@Suite struct ManifestFuzzTests {
    static let count = Int(ProcessInfo.processInfo.environment["MANIFEST_FUZZ_COUNT"] ?? "") ?? 1000
    static let seed = UInt64(ProcessInfo.processInfo.environment["MANIFEST_FUZZ_SEED"] ?? "") ?? 2026

    @Test func seededMutationsAreAcceptedOrRejectedByName() {
        var generator = SplitMix64(seed: Self.seed)
        let names = Self.keyNames
        var rejected = 0
        for index in 0..<Self.count {
            let text = ManifestMutator.mutate(ManifestMutator.bases[index % ManifestMutator.bases.count], using: &generator)
            do {
                _ = try parse(text)
            } catch let error as ManifestError {
                rejected += 1
                let message = String(error.description.split(separator: "\n").first ?? "")
                    .replacingOccurrences(of: ManifestError.prefix, with: "")
                let named = message.contains("line ") || names.contains { Self.mentions(message, $0) }
                    || Self.fileProblems.contains { message.hasPrefix("test.yml \($0)") }
                if ProcessInfo.processInfo.environment["MANIFEST_FUZZ_SHOW"] != nil { print("REJECTED: \(message)") }
                #expect(named, "mutation \(index) rejected without naming a key or line: \(message)\n--- input ---\n\(text)")
            } catch {
                Issue.record("mutation \(index) threw \(type(of: error)), not a ManifestError: \(error)")
            }
        }
        // The mutations must reach the parser's rejections, not only its happy path.
        #expect(rejected > Self.count / 4)
    }

    /// Problems of the whole file, where no key or line can be named.
    static let fileProblems = ["is empty", "is not UTF-8", "must hold a map"]

    /// Whether `message` names `name` as a word (`bucket_name`, not the `name` inside it).
    static func mentions(_ message: String, _ name: String) -> Bool {
        var searchFrom = message.startIndex
        while let found = message.range(of: name, range: searchFrom..<message.endIndex) {
            let before = found.lowerBound == message.startIndex ? " " : message[message.index(before: found.lowerBound)]
            let after = found.upperBound == message.endIndex ? " " : message[found.upperBound]
            let isWordCharacter: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            if !isWordCharacter(before), !isWordCharacter(after) || name.hasSuffix("[") { return true }
            searchFrom = found.upperBound
        }
        return false
    }

    /// Every key's last name (`bucket_name`) and full path (`s3.bucket_name`), the destination types, and the
    /// `destinations[N]` form errors use.
    static let keyNames: [String] = {
        var names = Set(["destinations[", "destinations", "destination", "service-backup", "service_backup", "properties"])
        for key in ManifestSchema.keys {
            names.insert(key.path)
            if let last = key.path.split(separator: ".").last { names.insert(String(last)) }
        }
        names.formUnion(ManifestSchema.destinationTypes)
        return names.sorted()
    }()
}

/// A small seeded generator, so a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum ManifestMutator {
    static let bases = [
        """
        destinations:
        - type: s3
          name: primary
          config:
            bucket_name: backups
            bucket_path: redis
            access_key_id: AKIAFUZZ
            secret_access_key: fuzz-secret
            endpoint_url: http://127.0.0.1:9000
            part_size: 5MiB
            retry_attempts: 3
        - type: azure
          config:
            storage_account: acct
            storage_access_key: a2V5
            container: c
            path: p
        source_folder: /var/vcap/store/redis
        source_executable: /bin/true
        cron_schedule: '*/5 * * * *'
        cleanup_executable: /bin/true
        exit_if_in_progress: true
        missing_properties_message: fill them in
        """,
        """
        name: redis-deployment
        instance_groups:
        - name: redis
          jobs:
          - name: service-backup
            properties:
              service-backup:
                destinations:
                - type: scp
                  config:
                    server: 127.0.0.1
                    user: backup
                    destination: /backups
                    key: |
                      -----BEGIN OPENSSH PRIVATE KEY-----
                      b3BlbnNzaC1rZXktdjEAAAAA
                      -----END OPENSSH PRIVATE KEY-----
                    port: 2222
                source_folder: /tmp/source
                cron_schedule: '@every 1h'
        """,
        """
        destination:
          s3:
            bucket_name: b
            bucket_path: p
            access_key_id: k
            secret_access_key: s
        source_folder: /tmp
        cron_schedule: '@daily'
        alerts:
          product_name: redis
          config:
            cloud_controller:
              url: https://api.example.com
              user: admin
              password: pw
        """,
    ]

    static let scalars = [
        "null", "~", "true", "no", "[]", "{}", "[1, 2]", "{a: 1}", "''", "\"\"", "-1", "0", "1.5",
        "99999999999999999999999999999999", "1e400", "-9223372036854775809", "0x7fffffffffffffff", ".inf", "-.inf",
        ".nan", "0o777", "1_000", "5 GiB", "5XiB", "2038-01-19T03:14:08Z", "!!binary aGVsbG8=", "!custom tag",
        "@every -1s", "@every 0.0000001ns", "'\\u{202E}evil'", "\"\\u0000\"", "\"\\x00\\xff\"", "|\n  block\n  text",
    ]

    static let junk: [String] = [
        "\u{0}", "\u{1}\u{2}\u{7F}", "\u{FEFF}", "\u{202E}", "\u{200B}", "😀", "ÿ", "\u{10FFFF}", "\t", "\r", "\r\n",
        "%YAML 1.1", "---", "...", "&a", "*a", "*missing", "!!map", "? complex\n: key", "<<: *a", "{", "]", "'", "\"",
        "#", "|", ">", "- ", ": ", "@", "`",
    ]

    static func mutate<G: RandomNumberGenerator>(_ base: String, using generator: inout G) -> String {
        var lines = base.components(separatedBy: "\n")
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            guard !lines.isEmpty else { lines = [""]; continue }
            let at = Int.random(in: 0..<lines.count, using: &generator)
            switch Int.random(in: 0..<11, using: &generator) {
            case 0:  // structure: drop a line
                lines.remove(at: at)
            case 1:  // structure: repeat a line (duplicate keys)
                lines.insert(lines[at], at: at)
            case 2:  // structure: indent or dedent
                lines[at] = Bool.random(using: &generator) ? "  " + lines[at] : String(lines[at].drop { $0 == " " })
            case 3:  // types and huge numbers: a value replaced
                if let colon = lines[at].firstIndex(of: ":") {
                    lines[at] = String(lines[at][...colon]) + " " + scalars.randomElement(using: &generator)!
                }
            case 4:  // deep nesting
                let depth = Int.random(in: 50...5000, using: &generator)
                let open = Bool.random(using: &generator) ? "[" : "{a: "
                let close = open == "[" ? "]" : "}"
                lines.insert("deep: " + String(repeating: open, count: depth) + String(repeating: close, count: depth), at: at)
            case 5:  // alias bomb
                lines.insert(contentsOf: aliasBomb(levels: Int.random(in: 3...12, using: &generator)), at: at)
                lines.append("destinations: *bomb")
            case 6:  // unicode in keys and values
                var line = Array(lines[at])
                line.insert(contentsOf: junk.randomElement(using: &generator)!, at: Int.random(in: 0...line.count, using: &generator))
                lines[at] = String(line)
            case 7:  // binary junk
                let bytes = (0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                lines[at] = String(decoding: bytes, as: UTF8.self)
            case 8:  // a scalar where a list or map belongs, and the other way round
                let key = ["destinations", "source_folder", "cron_schedule", "config", "alerts"].randomElement(using: &generator)!
                lines.insert("\(key): \(scalars.randomElement(using: &generator)!)", at: at)
            case 9:  // truncated file
                lines = Array(lines.prefix(at))
            default:  // a long line
                lines[at] += String(repeating: "x", count: Int.random(in: 1...100_000, using: &generator))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `levels` anchors each naming the previous ten times: 10^levels nodes if expanded.
    static func aliasBomb(levels: Int) -> [String] {
        var lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1..<levels {
            lines.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines.append("bomb: &bomb [*l\(levels - 1)]")
        return lines
    }
}
