import Testing
@testable import Manifest

/// No secret value from a manifest appears in any error, whatever is wrong with it.
@Suite struct SecretsNeverShown {
    static let secretValue = "TOPSECRET-9f8e7d6c"

    /// For each secret key: a manifest that carries it at `value`, valid around it.
    static func manifest(for key: ManifestKey, value: String) -> String {
        let type = String(key.path.split(separator: ".")[0])
        let sample: [String: String] = [
            "s3": "{bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s}",
            "azure": "{storage_account: a, storage_access_key: k, container: c, path: p}",
            "scp": "{server: s, user: u, destination: /d, key: k}",
            "gcs": "{service_account_json: j, project_id: p, bucket_name: b}",
        ]
        if type == "alerts", key.path.split(separator: ".").count == 2 {
            // The hooks sit directly under alerts; a URL key gets its value as the path of a URL.
            let plain = !(value.first.map { "{[\"'".contains($0) } ?? false)
            let shown = key.name.hasSuffix("_url") && plain ? "https://hooks.example.com/\(value)" : value
            return rendered(s3Entry, extra: "alerts:\n  \(key.name): \(shown)")
        }
        if type == "alerts" {
            let leaf = key.name
            let group = key.path.contains("cloud_controller") ? "cloud_controller" : "notifications"
            return rendered(s3Entry, extra: """
                alerts:
                  product_name: MySQL
                  config:
                    \(group):
                      \(leaf): \(value)
                """)
        }
        // A SAS stands in for the account key: the two are never given together.
        let base = key.path == "azure.sas_token"
            ? sample[type]!.replacingOccurrences(of: "storage_access_key: k, ", with: "") : sample[type] ?? "{}"
        let config = base.replacingOccurrences(of: "\(key.name): ", with: "\(key.name)_unused: ")
            .replacingOccurrences(of: "}", with: "")
        return rendered("- type: \(type)\n  config:\n    \(config), \(key.name): \(value)}")
    }

    /// The secret keys whose value is one string (`alerts.webhook_headers`, a map, has tests of its own).
    static let secretKeys = ManifestSchema.keys.filter { $0.secret && $0.type == .string }

    @Test func everyCredentialIsSecret() {
        #expect(Set(ManifestSchema.keys.filter(\.secret).map(\.path)) == [
            "s3.access_key_id", "s3.secret_access_key", "azure.storage_access_key", "scp.key", "gcs.service_account_json",
            "alerts.config.cloud_controller.password", "alerts.config.notifications.client_secret",
            "s3.session_token", "azure.sas_token",
            "alerts.webhook_url", "alerts.webhook_headers", "alerts.heartbeat_url",
        ])
    }

    @Test(arguments: secretKeys)
    func validSecretIsRead(key: ManifestKey) throws {
        let config = try parse(Self.manifest(for: key, value: Self.secretValue))
        #expect(!"\(config)".contains(Self.secretValue))
        #expect(!String(reflecting: config).contains(Self.secretValue))
        #expect(!config.summaryLines.joined().contains(Self.secretValue))
    }

    @Test(arguments: secretKeys)
    func wrongTypes(key: ManifestKey) {
        for value in [
            "{nested: \(Self.secretValue)}", "[\(Self.secretValue)]", "[{a: \(Self.secretValue)}]",
        ] {
            let text = errorText(Self.manifest(for: key, value: value))
            #expect(text.contains(key.name + " must be a string"), "\(text)")
            #expect(!text.contains(Self.secretValue), "\(text)")
        }
    }

    @Test(arguments: secretKeys)
    func invalidYAMLOnTheSecretsLine(key: ManifestKey) {
        for value in ["\"\(Self.secretValue)", "\(Self.secretValue): :", "'\(Self.secretValue)' trailing", "[\(Self.secretValue)"] {
            let text = errorText(Self.manifest(for: key, value: value))
            #expect(text.hasPrefix("Invalid config - "), "\(text)")
            #expect(!text.contains(Self.secretValue), "\(text)")
        }
    }

    @Test func otherErrorsNextToSecrets() {
        let text = errorText(rendered("""
            - type: scp
              config:
                server: s
                user: u
                destination: /d
                key: |
                  -----BEGIN OPENSSH PRIVATE KEY-----
                  \(Self.secretValue)
                  -----END OPENSSH PRIVATE KEY-----
                port: abc
            """))
        #expect(text.contains("port must be a whole number"))
        #expect(!text.contains(Self.secretValue))
    }

    @Test func pastedKeyInPlaceOfAMap() {
        let text = errorText(rendered("- type: scp\n  config: \(Self.secretValue)"))
        #expect(text.contains("config must be a map of settings"))
        #expect(!text.contains(Self.secretValue))
    }

    @Test func redactedDescriptions() {
        let secret = Secret(Self.secretValue)
        #expect("\(secret)" == "<redacted>" && String(reflecting: secret) == "<redacted>")
    }
}
