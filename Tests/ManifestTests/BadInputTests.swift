import Foundation
import Testing
@testable import Manifest

@Suite struct BadFiles {
    @Test func missingFile() {
        #expect(loadErrorText("/nonexistent/backup.yml") == "Invalid config - /nonexistent/backup.yml does not exist.")
    }

    @Test func directoryInsteadOfFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(loadErrorText(folder.path) == "Invalid config - \(folder.path) is a directory, not a manifest file.")
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file"))
    func unreadableFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("backup.yml")
        try "destinations: []\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: file.path)
        #expect(loadErrorText(file.path) == "Invalid config - \(file.path) cannot be read (permission denied).")
    }

    @Test func loadsAFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("backup.yml")
        try rendered(s3Entry).write(to: file, atomically: true, encoding: .utf8)
        #expect(try ManifestLoader.load(path: file.path).destinations.count == 1)
    }

    @Test func notUTF8() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("backup.yml")
        try Data([0x6b, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: file)
        #expect(loadErrorText(file.path) == "Invalid config - \(file.path) is not UTF-8 text.")
    }

    @Test func emptyFile() {
        #expect(errorText("") == "Invalid config - test.yml is empty.")
        #expect(errorText("# only a comment\n---\n") == "Invalid config - test.yml is empty.")
    }

    @Test func invalidYAMLNamesTheLine() {
        let text = errorText("""
            destinations: []
            source_folder: /x
            cron_schedule: "unterminated
            """)
        #expect(text.hasPrefix("Invalid config - test.yml is not valid YAML: line "))
        #expect(text.contains("line 3"))
        #expect(!text.contains("\n"))
        let tabs = errorText("destinations:\n\t- type: s3\n")
        #expect(tabs.hasPrefix("Invalid config - test.yml is not valid YAML: line 2, column 1: "))
    }

    @Test func topLevelMustBeAMap() {
        #expect(errorText("- a\n- b\n") == "Invalid config - test.yml must hold a map of settings at the top, got a list (line 1).")
        #expect(errorText("just words\n") == "Invalid config - test.yml must hold a map of settings at the top, got a single value (line 1).")
    }
}

@Suite struct BadValues {
    @Test func scalarWhereAMapBelongs() {
        #expect(errorText(rendered("- type: s3\n  config: bucket"))
            == "Invalid config - destinations[0] (s3): config must be a map of settings, got a value that is not shown "
                + "because the key is secret (test.yml, line 3).")
        #expect(errorText("name: x\nproperties: 5\n")
            == "Invalid config - properties must be a map of settings, got \"5\" (test.yml, line 2).")
        #expect(errorText("alerts: on\n") == "Invalid config - alerts must be a map of settings, got \"on\" (test.yml, line 1).")
        #expect(errorText("destinations:\n- s3\n")
            == "Invalid config - destinations[0] must be a map with type and config, got \"s3\" (test.yml, line 2).")
    }

    @Test func listWhereAMapBelongs() {
        #expect(errorText(rendered("- type: local\n  config: [path, /x]"))
            == "Invalid config - destinations[0] (local): config must be a map of settings, got a list (test.yml, line 3).")
        #expect(errorText("destination: [s3]\n")
            == "Invalid config - destination must be a map of settings, got a list (test.yml, line 1).")
    }

    @Test func mapWhereAListBelongs() {
        #expect(errorText("destinations: {type: s3}\n")
            == "Invalid config - destinations must be a list, got a map (test.yml, line 1).")
    }

    @Test func mapWhereAStringBelongs() {
        #expect(errorText(rendered("- type: local\n  config: {path: {a: b}}"))
            == "Invalid config - destinations[0] (local): config.path must be a string, got a map (test.yml, line 3).")
        #expect(errorText("destinations:\n\(s3Entry)\nsource_folder: /x\ncron_schedule: [a]\n")
            == "Invalid config - cron_schedule must be a string, got a list (test.yml, line 10).")
    }

    @Test func duplicateKeys() {
        #expect(errorText(rendered(s3Entry, extra: "cron_schedule: '@daily'"))
            == "Invalid config - test.yml is not valid YAML: line 10: duplicate keys cron_schedule.")
    }

    @Test func portMustBeANumber() {
        let scp = "- type: scp\n  config:\n    {server: s, user: u, destination: /d, key: k, port: %@}"
        #expect(errorText(rendered(scp.replacingOccurrences(of: "%@", with: "abc")))
            == "Invalid config - destinations[0] (scp): config.port must be a whole number, got \"abc\" (test.yml, line 4).")
        #expect(errorText(rendered(scp.replacingOccurrences(of: "%@", with: "70000")))
            == "Invalid config - destinations[0] (scp): config.port must be a whole number from 1 to 65535, got \"70000\" (test.yml, line 4).")
        #expect(errorText(rendered(scp.replacingOccurrences(of: "%@", with: "22.5"))).contains("must be a whole number, got \"22.5\""))
    }

    @Test func booleansAreStrict() {
        #expect(errorText(rendered(s3Entry, extra: "exit_if_in_progress: maybe"))
            == "Invalid config - exit_if_in_progress must be true or false, got \"maybe\" (test.yml, line 11).")
    }

    @Test func sizesAreCheckedAndRanged() {
        func s3(partSize: String) -> String {
            rendered("""
                - type: s3
                  config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, part_size: \(partSize)}
                """)
        }
        #expect(errorText(s3(partSize: "-5"))
            == "Invalid config - destinations[0] (s3): config.part_size must be a positive size, got \"-5\" (test.yml, line 3).")
        #expect(errorText(s3(partSize: "-64MiB")).contains("part_size must be a positive size"))
        #expect(errorText(s3(partSize: "1MiB"))
            == "Invalid config - destinations[0] (s3): config.part_size must be from 5MiB to 5GiB, got \"1MiB\" (test.yml, line 3).")
        #expect(errorText(s3(partSize: "6GiB")).contains("must be from 5MiB to 5GiB"))
        #expect(errorText(s3(partSize: "lots")).contains("must be a size in bytes such as 8388608, 8MiB or 8MB, got \"lots\""))
        #expect(errorText(s3(partSize: "5.5B")).contains("must be a size in bytes"))
        let azure = rendered("""
            - type: azure
              config: {storage_account: a, storage_access_key: k, container: c, path: p, block_size: 4001MiB}
            """)
        #expect(errorText(azure).contains("block_size must be from 1MiB to 4000MiB"))
        #expect(errorText(azure.replacingOccurrences(of: "4001MiB", with: "-1")).contains("block_size must be a positive size"))
    }

    @Test func concurrencyRange() {
        let local = rendered("""
            - type: scp
              config: {server: s, user: u, destination: /d, key: k, concurrency: 0}
            """)
        #expect(errorText(local).contains("concurrency must be a whole number from 1 to 16, got \"0\""))
        #expect(errorText(local.replacingOccurrences(of: "concurrency: 0", with: "concurrency: 17")).contains("from 1 to 16"))
    }

    @Test func enumeratedValues() {
        let azure = rendered("""
            - type: azure
              config: {storage_account: a, storage_access_key: k, container: c, path: p, access_tier: Frozen}
            """)
        #expect(errorText(azure).contains("access_tier must be one of Hot, Cool, Cold, Archive, got \"Frozen\""))
        let s3 = rendered("""
            - type: s3
              config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, server_side_encryption: DES}
            """)
        #expect(errorText(s3).contains("server_side_encryption must be one of AES256, aws:kms, got \"DES\""))
    }

    @Test func endpointURLScheme() {
        let s3 = rendered("""
            - type: s3
              config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, endpoint_url: 'ftp://x'}
            """)
        #expect(errorText(s3).contains("endpoint_url must be an http:// or https:// URL, got \"ftp://x\""))
    }

    @Test func caCertMustBePEM() {
        let s3 = rendered("""
            - type: s3
              config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, ca_cert: not-a-cert}
            """)
        #expect(errorText(s3).contains("ca_cert must be PEM text with -----BEGIN CERTIFICATE-----"))
    }

    @Test func gracePeriodNotNegative() {
        #expect(errorText(rendered(s3Entry, extra: "shutdown_grace_period: -1")).contains(
            "shutdown_grace_period must be at least 0, got \"-1\""))
    }
}
