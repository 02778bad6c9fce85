import Testing
@testable import Manifest

/// The original's `Invalid config - …` texts, each followed by missing_properties_message.
@Suite struct ValidationTexts {
    static let messages: [(setting: String, expected: String)] = [
        ("", defaultMessage),
        ("missing_properties_message: custom message", "custom message"),
    ]

    @Test(arguments: messages)
    func missingS3ValuesInContractOrder(setting: String, expected: String) {
        let text = originalText(rendered("""
            - type: s3
              config: {access_key_id: a, secret_access_key: s}
            """, extra: setting))
        #expect(text == "Invalid config - Missing values for s3: bucket_name, bucket_path.\n\(expected)")
    }

    @Test(arguments: messages)
    func missingEveryRequiredValueOfEachType(setting: String, expected: String) {
        let cases = [
            ("s3", "access_key_id, secret_access_key, bucket_name, bucket_path"),
            ("azure", "storage_account, storage_access_key, container, path"),
            ("scp", "server, user, destination, key"),
            ("local", "path"),
        ]
        for (type, keys) in cases {
            let text = originalText(rendered("- type: \(type)\n  config: {unrelated: 1}", extra: setting))
            #expect(text == "Invalid config - Missing values for \(type): \(keys).\n\(expected)")
        }
    }

    @Test func emptyAndNullValuesAreMissing() {
        let text = originalText(rendered("""
            - type: scp
              config:
                server: ''
                user:
                destination: /backups
                key: ~
            """))
        #expect(text == "Invalid config - Missing values for scp: server, user, key.\n\(defaultMessage)")
    }

    @Test(arguments: messages)
    func missingConfig(setting: String, expected: String) {
        #expect(originalText(rendered("- type: scp", extra: setting))
            == "Invalid config - Missing config for scp.\n\(expected)")
        #expect(originalText(rendered("- type: s3\n  config:", extra: setting))
            == "Invalid config - Missing config for s3.\n\(expected)")
    }

    @Test(arguments: messages)
    func missingType(setting: String, expected: String) {
        #expect(originalText(rendered("- config: {path: /x}", extra: setting))
            == "Invalid config - Missing type for destination.\n\(expected)")
        #expect(originalText(rendered("- type: ''\n  config: {path: /x}", extra: setting))
            == "Invalid config - Missing type for destination.\n\(expected)")
    }

    @Test(arguments: messages)
    func unknownType(setting: String, expected: String) {
        #expect(originalText(rendered("- type: ftp\n  config: {host: x}", extra: setting))
            == "Invalid config - Unknown destination type: ftp.\n\(expected)")
    }

    @Test(arguments: messages)
    func missingServiceBackupValuesInOrder(setting: String, expected: String) {
        #expect(originalText("destinations:\n\(s3Entry)\n\(setting)\n")
            == "Invalid config - Missing values for service_backup: source_folder, cron_schedule.\n\(expected)")
        #expect(originalText("destinations:\n\(s3Entry)\nsource_folder: /x\ncron_schedule: ''\n\(setting)\n")
            == "Invalid config - Missing values for service_backup: cron_schedule.\n\(expected)")
    }

    @Test func serviceBackupValuesAreCheckedBeforeDestinations() {
        #expect(originalText("destinations:\n- type: ftp\n")
            == "Invalid config - Missing values for service_backup: source_folder, cron_schedule.\n\(defaultMessage)")
    }

    @Test func destinationsAreCheckedInOrder() {
        let text = originalText(rendered("""
            - type: local
              config: {path: /ok}
            - type: azure
              config: {storage_account: a}
            - type: ftp
            """))
        #expect(text == "Invalid config - Missing values for azure: storage_access_key, container, path.\n\(defaultMessage)")
    }

    @Test func emptyCustomMessageFallsBackToTheDefault() {
        #expect(originalText(rendered("- type: ftp", extra: "missing_properties_message: ''"))
            == "Invalid config - Unknown destination type: ftp.\n\(defaultMessage)")
    }

    @Test func gcsMissingValuesInTheOriginalsOrder() {
        let text = originalText(rendered("""
            - type: gcs
              config: {bucket_name: b}
            """))
        #expect(text == "Invalid config - Missing values for gcs: service_account_json, project_id.\n\(defaultMessage)")
    }

    @Test func gcsIsReadWithItsDefaults() throws {
        let configuration = try parse(rendered("""
            - type: gcs
              config: {project_id: p, bucket_name: b, service_account_json: '{"private_key": "x"}', chunk_size: 1MiB}
            """))
        guard case .gcs(let gcs) = configuration.destinations.first?.kind else {
            Issue.record("not a gcs destination")
            return
        }
        #expect(gcs.projectID == "p" && gcs.bucketName == "b" && gcs.endpoint == nil)
        #expect(gcs.serviceAccountJSON.reveal() == #"{"private_key": "x"}"#)
        #expect(gcs.chunkSize == 1 << 20 && gcs.concurrency == nil && gcs.retry == .http)
        #expect(!"\(gcs)".contains("private_key"))
    }

    @Test func kmsKeyOnlyWithKMSEncryption() {
        let text = originalText(rendered("""
            - type: s3
              config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s,
                       server_side_encryption: AES256, kms_key_id: arn:aws:kms:key}
            """))
        #expect(text == "Invalid config - destinations[0] (s3): config.kms_key_id is only used with "
            + "server_side_encryption: aws:kms (test.yml, line 4).")
    }

    @Test func deploymentNameNeededWhenAddedToPaths() {
        #expect(originalText(rendered(s3Entry, extra: "add_deployment_name_to_backup_path: true"))
            == "Invalid config - add_deployment_name_to_backup_path is true but deployment_name is empty (test.yml, line 11).")
    }
}
