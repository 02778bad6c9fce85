import Testing
@testable import Manifest

@Suite struct Catalog {
    @Test func pathsAreUnique() {
        let paths = ManifestSchema.keys.map(\.path) + ManifestSchema.keys.flatMap(\.aliases)
        #expect(Set(paths).count == paths.count)
    }

    @Test func requiredKeysPerTypeInTheOriginalsOrder() {
        #expect(ManifestSchema.requiredConfigKeys(forType: "s3").map(\.name)
            == ["access_key_id", "secret_access_key", "bucket_name", "bucket_path"])
        #expect(ManifestSchema.requiredConfigKeys(forType: "azure").map(\.name)
            == ["storage_account", "storage_access_key", "container", "path"])
        #expect(ManifestSchema.requiredConfigKeys(forType: "scp").map(\.name) == ["server", "user", "destination", "key"])
        #expect(ManifestSchema.requiredConfigKeys(forType: "local").map(\.name) == ["path"])
        #expect(ManifestSchema.requiredConfigKeys(forType: "gcs").map(\.name)
            == ["service_account_json", "project_id", "bucket_name"])
        #expect(ManifestSchema.key("gcs.service_account_json")?.secret == true)
    }

    @Test func topLevelKeysOfTheContract() {
        let topLevel = Set(ManifestSchema.keys.map(\.path).filter { !$0.contains(".") && !$0.contains("[") })
        #expect(topLevel.isSuperset(of: [
            "destinations", "source_folder", "source_executable", "cron_schedule", "cleanup_executable",
            "service_identifier_executable", "exit_if_in_progress", "missing_properties_message", "deployment_name",
            "add_deployment_name_to_backup_path", "shutdown_grace_period", "aws_cli_path", "azure_cli_path",
            "backup_user",
        ]))
        #expect(ManifestSchema.keys.filter(\.ignored).map(\.path) == ["aws_cli_path", "azure_cli_path", "backup_user"])
    }

    @Test func everyKeyIsDescribed() {
        for key in ManifestSchema.keys {
            #expect(!key.summary.isEmpty && !key.summary.contains("\n"), "\(key.path)")
            #expect(key.path.split(separator: ".").allSatisfy { !$0.isEmpty }, "\(key.path)")
        }
    }

    @Test func defaultsAreWhatTheParserUses() throws {
        let config = try parse(rendered("- type: scp\n  config: {server: s, user: u, destination: /d, key: k}"))
        #expect(ManifestSchema.key("scp.port")?.defaultValue == String(try #require(config.firstSCP).port))
        #expect(ManifestSchema.key("shutdown_grace_period")?.defaultValue == "30")
        #expect(config.shutdownGracePeriod == 30)
        #expect(ManifestSchema.key("missing_properties_message")?.defaultValue == config.missingPropertiesMessage)
        #expect(ManifestSchema.key("exit_if_in_progress")?.defaultValue == String(config.exitIfInProgress))
    }

    @Test func typesMatchTheirUse() {
        #expect(ManifestSchema.key("s3.part_size")?.type == .size)
        #expect(ManifestSchema.key("azure.block_size")?.type == .size)
        #expect(ManifestSchema.key("scp.port")?.type == .integer)
        #expect(ManifestSchema.key("destinations")?.type == .list)
        #expect(ManifestSchema.key("s3.path_style")?.aliases == ["s3.force_path_style"])
        #expect(ManifestSchema.key("azure.endpoint")?.aliases == ["azure.blob_store_base_url"])
    }
}

@Suite struct Summary {
    @Test func linesNameTypeNameAndTarget() throws {
        let config = try parse(rendered(s3Entry + """

            - type: azure
              config: {storage_account: acct, storage_access_key: a2V5, container: backups, path: redis}
            - type: scp
              name: offsite
              config: {server: backup.example.com, user: vcap, destination: /srv/backups, key: k, fingerprint: 'SHA256:abc'}
            - type: local
              config: {path: /mnt/nfs}
            """, extra: "deployment_name: redis-1\nadd_deployment_name_to_backup_path: true"))
        #expect(config.summaryLines == [
            "destination 1: s3 \"primary\" -> s3://my-bucket/some/path (files under .../redis-1/YYYY/MM/DD/)",
            "destination 2: azure -> https://acct.blob.core.windows.net/backups/redis (files under .../redis-1/YYYY/MM/DD/)",
            "destination 3: scp \"offsite\" -> vcap@backup.example.com:22:/srv/backups (host key pinned) (files under .../redis-1/YYYY/MM/DD/)",
            "destination 4: local -> /mnt/nfs (files under .../redis-1/YYYY/MM/DD/)",
        ])
        #expect(!config.summaryLines.joined().contains("wJalrSECRETKEYexample0001"))
        #expect(!config.summaryLines.joined().contains("AKIAEXAMPLEKEYID0001"))
    }

    @Test func noDestinations() throws {
        #expect(try parse("destinations: []").summaryLines == ["destinations: none (backups are skipped)"])
    }
}

/// Every catalog key of a destination type or of the top level is read by the parser: a map in its
/// place is refused with an error naming it.
@Suite struct CatalogIsRead {
    static let typedKeys = ManifestSchema.keys.filter { key in
        ManifestSchema.destinationTypes.contains(String(key.path.split(separator: ".")[0]))
            || (!key.path.contains(".") && !key.path.contains("[") && !key.ignored
                && [.string, .boolean, .number, .integer].contains(key.type))
    }

    @Test(arguments: typedKeys)
    func mapInPlaceOfValue(key: ManifestKey) {
        let samples = [
            "s3": "bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s",
            "azure": "storage_account: a, storage_access_key: k, container: c, path: p",
            "scp": "server: s, user: u, destination: /d, key: k",
            "local": "path: /p",
            "gcs": "service_account_json: j, project_id: p, bucket_name: b",
        ]
        let type = String(key.path.split(separator: ".")[0])
        let manifest: String
        if let sample = samples[type] {
            let entries = sample.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.hasPrefix(key.name + ":") } + ["\(key.name): {wrong: 1}"]
            manifest = rendered("- type: \(type)\n  config: {\(entries.joined(separator: ", "))}")
        } else {
            let top = rendered(s3Entry).split(separator: "\n").filter { !$0.hasPrefix(key.name + ":") }
                .joined(separator: "\n")
            manifest = top + "\n\(key.name): {wrong: 1}\n"
        }
        let text = errorText(manifest)
        #expect(text.contains("\(key.name) must be"), "\(text)")
    }
}
