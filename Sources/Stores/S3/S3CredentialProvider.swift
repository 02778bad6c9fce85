import Manifest
import Signing

/// Where an S3 store's signing keys come from, asked before every attempt of every request.
protocol S3CredentialProvider: Sendable {
    /// Keys valid now; may fetch them (and throw why not).
    func credentials() async throws -> SigV4Credentials
    /// Every credential text this provider has handed out, for the last guard on error texts.
    var secrets: [String] { get }
}

/// The manifest's keys: `access_key_id`, `secret_access_key` and, for temporary keys, `session_token`.
struct StaticS3Credentials: S3CredentialProvider {
    let keys: SigV4Credentials

    init(keys: SigV4Credentials) { self.keys = keys }

    init(_ settings: S3Settings) {
        self.init(keys: SigV4Credentials(
            accessKeyID: settings.accessKeyID.reveal(), secretAccessKey: settings.secretAccessKey.reveal(),
            sessionToken: settings.sessionToken.map { $0.reveal() }))
    }

    func credentials() async throws -> SigV4Credentials { keys }
    var secrets: [String] { keys.secrets }
}

extension S3Settings {
    /// The provider `credentials_source` names: the manifest's keys, or the instance profile's (found through the
    /// instance metadata service at `AWS_EC2_METADATA_SERVICE_ENDPOINT`, or its standard address).
    func credentialProvider(environment: [String: String]) -> any S3CredentialProvider {
        switch credentialsSource {
        case .static:
            StaticS3Credentials(self)
        case .instanceProfile:
            InstanceProfileCredentials(metadata: InstanceMetadataClient(environment: environment))
        }
    }
}
