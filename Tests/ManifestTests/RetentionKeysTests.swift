import Testing
@testable import Manifest

/// `retention` of a destination entry.
@Suite struct RetentionKeys {
    func manifest(_ retention: String) -> String {
        rendered("- type: local\n  config: {path: /backups}\n  retention: \(retention)")
    }

    @Test func readsEveryKeyWithItsDefault() throws {
        let config = try parse(manifest("{keep_days: 30, keep_runs: 7}"))
        #expect(config.destinations.first?.retention == RetentionSettings(keepDays: 30, keepRuns: 7, keepIncompleteDays: 7))
        let other = try parse(manifest("{keep_runs: 3, keep_incomplete_days: 2}"))
        #expect(other.destinations.first?.retention == RetentionSettings(keepRuns: 3, keepIncompleteDays: 2))
        #expect(try parse(rendered("- type: local\n  config: {path: /backups}")).destinations.first?.retention == nil)
        #expect(config.summaryLines.first?.hasSuffix("; retention: keep_days 30 or keep_runs 7, incomplete runs 7 days") == true)
    }

    @Test func badValuesNameTheKey() {
        #expect(errorText(manifest("{keep_incomplete_days: 3}")).contains("destinations[0].retention must set keep_days or keep_runs"))
        #expect(errorText(manifest("{keep_days: 0}")).contains("destinations[0].retention.keep_days must be a whole number from 1 to 36500, got \"0\""))
        #expect(errorText(manifest("{keep_runs: many}")).contains("destinations[0].retention.keep_runs must be a whole number"))
        #expect(errorText(manifest("7")).contains("destinations[0].retention must be a map"))
    }

    @Test func theCatalogHasTheKeys() {
        #expect(ManifestSchema.key("destinations[].retention.keep_incomplete_days")?.defaultValue == "7")
        #expect(ManifestSchema.key("destinations[].retention.keep_days")?.type == .integer)
    }
}
