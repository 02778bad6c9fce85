import Testing
@testable import Manifest

/// `retry_attempts`, `retry_timeout` and `stall_timeout` of the remote destination types.
@Suite struct RetryKeys {
    static let types = ["s3", "azure", "scp", "gcs"]
    static let requiredConfig = [
        "s3": "bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s",
        "azure": "storage_account: a, storage_access_key: k, container: c, path: p",
        "scp": "server: s, user: u, destination: /d, key: k",
        "gcs": "service_account_json: j, project_id: p, bucket_name: b",
    ]

    /// A manifest with one destination of `type`, its required keys and `extra` in its config.
    func manifest(_ type: String, _ extra: String = "") -> String {
        let config = (Self.requiredConfig[type] ?? "") + (extra.isEmpty ? "" : ", " + extra)
        return rendered("- type: \(type)\n  config: {\(config)}")
    }

    func retry(_ config: BackupConfiguration) -> RetrySettings? {
        switch config.destinations.first?.kind {
        case .s3(let settings): settings.retry
        case .azure(let settings): settings.retry
        case .scp(let settings): settings.retry
        case .gcs(let settings): settings.retry
        default: nil
        }
    }

    @Test func defaultsWhenAbsent() throws {
        let expected = [RetrySettings(attempts: 5, timeoutSeconds: 300, stallSeconds: 60),
                        RetrySettings(attempts: 5, timeoutSeconds: 300, stallSeconds: 60),
                        RetrySettings(attempts: 5, timeoutSeconds: 300, stallSeconds: 120),
                        RetrySettings(attempts: 5, timeoutSeconds: 300, stallSeconds: 60)]
        for (type, settings) in zip(Self.types, expected) {
            #expect(retry(try parse(manifest(type))) == settings)
            // Null and empty count as absent.
            #expect(retry(try parse(manifest(type, "retry_attempts: ~, retry_timeout: '', stall_timeout: null"))) == settings)
        }
    }

    @Test func catalogDefaultsAreTheParsersDefaults() throws {
        for type in Self.types {
            let parsed = try #require(retry(try parse(manifest(type))))
            #expect(ManifestSchema.key("\(type).retry_attempts")?.defaultValue == String(parsed.attempts))
            #expect(ManifestSchema.key("\(type).retry_timeout")?.defaultValue == String(Int(parsed.timeoutSeconds)))
            #expect(ManifestSchema.key("\(type).stall_timeout")?.defaultValue == String(Int(parsed.stallSeconds)))
        }
    }

    @Test(arguments: types)
    func valuesAreRead(type: String) throws {
        let config = try parse(manifest(type, "retry_attempts: 1, retry_timeout: '2.5', stall_timeout: 0.25"))
        #expect(retry(config) == RetrySettings(attempts: 1, timeoutSeconds: 2.5, stallSeconds: 0.25))
        let bounds = try parse(manifest(type, "retry_attempts: ' 20 ', retry_timeout: 86400, stall_timeout: 86400"))
        #expect(retry(bounds) == RetrySettings(attempts: 20, timeoutSeconds: 86_400, stallSeconds: 86_400))
    }

    @Test func legacyFormsReadThem() throws {
        let legacy = try parse("""
            destination:
              scp: {server: s, user: u, destination: /d, key: k, retry_attempts: 2, stall_timeout: 30}
            source_folder: /src
            cron_schedule: '@daily'
            """)
        #expect(retry(legacy) == RetrySettings(attempts: 2, timeoutSeconds: 300, stallSeconds: 30))
        let blobstore = try parse("""
            blobstore: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, retry_timeout: 10}
            source_folder: /src
            cron_schedule: '@daily'
            """)
        #expect(retry(blobstore) == RetrySettings(attempts: 5, timeoutSeconds: 10, stallSeconds: 60))
    }

    @Test(arguments: types)
    func attemptsOutOfRange(type: String) {
        let key = "destinations[0] (\(type)): config.retry_attempts"
        #expect(errorText(manifest(type, "retry_attempts: 0")).contains("\(key) must be a whole number from 1 to 20, got \"0\""))
        #expect(errorText(manifest(type, "retry_attempts: 21")).contains("\(key) must be a whole number from 1 to 20, got \"21\""))
        #expect(errorText(manifest(type, "retry_attempts: 2.5")).contains("\(key) must be a whole number, got \"2.5\""))
        #expect(errorText(manifest(type, "retry_attempts: [3]")).contains("\(key) must be a whole number, got a list"))
    }

    @Test(arguments: types)
    func timeoutsOutOfRange(type: String) {
        for name in ["retry_timeout", "stall_timeout"] {
            let key = "destinations[0] (\(type)): config.\(name)"
            #expect(errorText(manifest(type, "\(name): 0")).contains("\(key) must be more than 0, got \"0\""))
            #expect(errorText(manifest(type, "\(name): -5")).contains("\(key) must be more than 0, got \"-5\""))
            #expect(errorText(manifest(type, "\(name): 86401")).contains("\(key) must be at most 86400, got \"86401\""))
            #expect(errorText(manifest(type, "\(name): 1e300")).contains("\(key) must be at most 86400"))
            #expect(errorText(manifest(type, "\(name): .inf")).contains("\(key) must be a number, got \".inf\""))
            #expect(errorText(manifest(type, "\(name): soon")).contains("\(key) must be a number, got \"soon\""))
        }
    }

    @Test func theErrorNamesTheFileAndLine() {
        #expect(errorText(manifest("s3", "stall_timeout: 0")).hasSuffix(
            "destinations[0] (s3): config.stall_timeout must be more than 0, got \"0\" (test.yml, line 3)."))
    }
}
