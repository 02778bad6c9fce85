import Testing
@testable import Manifest

/// The warnings `validate` prints (and the daemon logs) about a manifest that parses.
@Suite struct Warnings {
    func warnings(_ yaml: String) throws -> [String] {
        try ManifestLoader.inspect(yaml: yaml, file: "test.yml").warnings
    }

    let s3 = "- type: s3\n  name: archive\n  config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s%@}"

    func withS3(_ extra: String, top: String = "") -> String {
        rendered(s3.replacingOccurrences(of: "%@", with: extra), extra: top)
    }

    @Test func aCleanManifestHasNone() throws {
        #expect(try warnings(withS3(", region: eu-west-1, bandwidth_limit: 5MiB", top: "nice: 5\nalerts: {product_name: Redis}")) == [])
    }

    @Test func unknownKeysNameTheNearestKnownOne() throws {
        #expect(try warnings(withS3(", regoin: eu-west-1")) == [
            "destinations[0] \"archive\" (s3): config.regoin is not a setting of s3 destinations, and is ignored; did you mean region?",
        ])
        #expect(try warnings(rendered("- type: local\n  config: {path: /b}", extra: "cron_shedule: x\nzzzz: 1")) == [
            "cron_shedule is not a setting of service-backup, and is ignored; did you mean cron_schedule?",
            "zzzz is not a setting of service-backup, and is ignored",
        ])
        #expect(try warnings(rendered("- type: local\n  config: {path: /b}", extra: "alerts: {product_name: R, config: {timeout_second: 3}}"))
            == ["alerts.config.timeout_second is not a setting of service-backup, and is ignored; did you mean timeout_seconds?"])
    }

    @Test func aTypeSettingOneLevelTooHighIsPointedUnderConfig() throws {
        let yaml = rendered("- type: s3\n  region: eu\n  config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s}")
        #expect(try warnings(yaml) == [
            "destinations[0] (s3): region is not a setting of a destinations entry (type, name, config), and is ignored; did you mean config.region?",
        ])
    }

    @Test func aliasesIgnoredKeysAndJobPropertiesAreKnown() throws {
        #expect(try warnings(withS3(", force_path_style: true", top: "aws_cli_path: /x\ndrain_max_wait: 30")) == [])
        let legacy = """
            destination: {s3: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, regoin: x}}
            source_folder: /x
            cron_schedule: '@daily'
            """
        #expect(try warnings(legacy) == ["destination.s3.regoin is not a setting of s3 destinations, and is ignored; did you mean region?"])
    }

    @Test func boshVariablesAreNamedUnlessTheKeyIsSecret() throws {
        let found = try warnings(withS3("", top: "source_folder_x: 1").replacingOccurrences(of: "secret_access_key: s", with: "secret_access_key: '((s3_secret))'")
            .replacingOccurrences(of: "bucket_path: p", with: "bucket_path: '((deployment))/redis'"))
        #expect(found.contains { $0.hasPrefix("destinations[0] \"archive\" (s3): config.bucket_path holds the BOSH variable ((deployment)), never interpolated") })
        #expect(found.contains { $0.hasPrefix("destinations[0] \"archive\" (s3): config.secret_access_key holds a BOSH variable, never interpolated") })
        #expect(!found.joined().contains("s3_secret"))
    }

    @Test func quotesInCommandsAreFlagged() throws {
        let found = try warnings(rendered("- type: local\n  config: {path: /b}", extra: "source_executable: sh -c \"dump > x\"\ncleanup_executable: /bin/true"))
        #expect(found == ["source_executable holds quotes, but commands are split on spaces and run without a shell: "
            + "the quotes reach the program inside its arguments; put the command in a script"])
    }
}

/// Every error about a destination names it once: `destinations[1] "archive" (s3)`.
@Suite struct DestinationNaming {
    let local = "- type: local\n  config: {path: /b}\n"

    @Test func theOriginalsTextsKeepTheirLinesAndNameTheEntryLast() {
        let text = errorText(rendered(local + "- type: s3\n  name: archive\n  config: {bucket_name: b}"))
        #expect(text == "Invalid config - Missing values for s3: access_key_id, secret_access_key, bucket_path.\n"
            + "Provide these missing fields in your manifest.\nIn destinations[1] \"archive\" (s3).")
        #expect(errorText(rendered(local + "- name: x\n  config: {a: b}")).hasSuffix("\nIn destinations[1] \"x\"."))
        #expect(errorText(rendered(local + "- type: ftp\n  config: {a: b}")).hasSuffix("\nIn destinations[1] (ftp)."))
    }

    @Test func valueErrorsNameTheEntryThenTheKey() {
        #expect(errorText(rendered(local + "- type: scp\n  name: offsite\n  config: {server: a, user: b, destination: /c, key: d, port: x}"))
            == "Invalid config - destinations[1] \"offsite\" (scp): config.port must be a whole number, got \"x\" (test.yml, line 6).")
    }

    @Test func theLabelHasNoEmptyParts() {
        #expect(DestinationLabel.text(path: "destinations[0]", name: nil, type: "s3") == "destinations[0] (s3)")
        #expect(DestinationLabel.text(path: "destinations[0]", name: "", type: nil) == "destinations[0]")
        #expect(DestinationLabel.withoutTypePrefix("azure: container x", type: "azure") == "container x")
        #expect(DestinationLabel.withoutTypePrefix("s3 endpoint_url x", type: "s3") == "endpoint_url x")
        #expect(DestinationLabel.withoutTypePrefix("scp: key is not", type: "s3") == "scp: key is not")
    }
}

@Suite struct KeySuggestions {
    @Test func nearestKeys() {
        #expect(KeySuggestion.nearest(to: "regoin", in: ["endpoint_url", "region"]) == "region")
        #expect(KeySuggestion.nearest(to: "bucketname", in: ["bucket_name", "bucket_path"]) == "bucket_name")
        #expect(KeySuggestion.nearest(to: "Region", in: ["region"]) == "region")
        #expect(KeySuggestion.nearest(to: "colour", in: ["region", "path"]) == nil)
        #expect(KeySuggestion.nearest(to: "ab", in: ["xy"]) == nil)
    }

    @Test func editDistanceCountsASwapAsOne() {
        #expect(KeySuggestion.editDistance("regoin", "region") == 1)
        #expect(KeySuggestion.editDistance("", "abc") == 3)
        #expect(KeySuggestion.editDistance("kitten", "sitting") == 3)
    }
}
