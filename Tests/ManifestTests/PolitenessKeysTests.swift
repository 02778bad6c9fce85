import Testing
@testable import Manifest

/// `bandwidth_limit` (per destination), `nice`, `ionice` and `splay_seconds`.
@Suite struct PolitenessKeys {
    let local = "- type: local\n  config: {path: /backups, bandwidth_limit: %@}"

    func limit(_ value: String) throws -> Int64? {
        try parse(rendered("- type: local\n  config: {path: /backups, bandwidth_limit: \(value)}")).destinations[0].bandwidthLimit
    }

    @Test func defaultsChangeNothing() throws {
        let config = try parse(rendered("- type: local\n  config: {path: /backups}"))
        #expect(config.destinations[0].bandwidthLimit == nil)
        #expect(config.politeness == Politeness(nice: 0, ioPriority: .none, splaySeconds: 0))
        #expect(!config.politeness.lowersPriority)
    }

    @Test func bandwidthLimitIsBytesOrASize() throws {
        #expect(try limit("1048576") == 1 << 20)
        #expect(try limit("50MiB") == 50 << 20)
        #expect(try limit("'8 MB'") == 8 << 20)
    }

    @Test func everyDestinationTypeHasIt() throws {
        for type in ManifestSchema.destinationTypes {
            #expect(ManifestSchema.key("\(type).bandwidth_limit")?.type == .size)
        }
        let s3 = "- type: s3\n  config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, bandwidth_limit: 2MiB}"
        #expect(try parse(rendered(s3)).destinations[0].bandwidthLimit == 2 << 20)
    }

    @Test func badBandwidthLimitsNameTheKey() {
        #expect(errorText(rendered("- type: local\n  config: {path: /b, bandwidth_limit: fast}"))
            .contains("destinations[0] (local): config.bandwidth_limit must be a size in bytes"))
        #expect(errorText(rendered("- type: local\n  config: {path: /b, bandwidth_limit: 100}"))
            .contains("destinations[0] (local): config.bandwidth_limit must be from 1KiB to 1TiB"))
    }

    @Test func niceIoniceAndSplay() throws {
        let config = try parse(rendered("- type: local\n  config: {path: /b}", extra: "nice: 10\nionice: best-effort:7\nsplay_seconds: 90.5"))
        #expect(config.politeness == Politeness(nice: 10, ioPriority: .bestEffort(level: 7), splaySeconds: 90.5))
        #expect(try parse(rendered("- type: local\n  config: {path: /b}", extra: "ionice: IDLE")).politeness.ioPriority == .idle)
        #expect(try parse(rendered("- type: local\n  config: {path: /b}", extra: "ionice: best-effort")).politeness.ioPriority
            == .bestEffort(level: 4))
    }

    @Test func badPolitenessValuesNameTheKey() {
        #expect(errorText(rendered("- type: local\n  config: {path: /b}", extra: "nice: -5")).contains("nice must be a whole number from 0 to 19"))
        #expect(errorText(rendered("- type: local\n  config: {path: /b}", extra: "ionice: realtime")).contains("ionice must be one of none, idle"))
        #expect(errorText(rendered("- type: local\n  config: {path: /b}", extra: "splay_seconds: 100000")).contains("splay_seconds must be at most 86400"))
    }
}
