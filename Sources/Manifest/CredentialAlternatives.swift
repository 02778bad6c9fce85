/// Credentials a destination may take instead of its required static key: an S3 instance profile stands in
/// for `access_key_id` and `secret_access_key`, an Azure `sas_token` for `storage_access_key`. The one rule
/// of which required keys another setting replaces, and of which combinations are refused.
enum CredentialAlternatives {
    /// The required keys of `type` that `config` does not need, because it names other credentials.
    static func replacedKeys(type: String, config: ManifestMap) throws -> [ManifestKey] {
        switch type {
        case "s3":
            typealias Keys = ManifestSchema.S3
            guard try config.string(Keys.credentialsSource) == S3CredentialsSource.instanceProfile.rawValue else { return [] }
            return [Keys.accessKeyID, Keys.secretAccessKey]
        case "azure":
            typealias Keys = ManifestSchema.Azure
            return config.isMissing(Keys.sasToken) ? [] : [Keys.storageAccessKey]
        default:
            return []
        }
    }

    /// Refuses static keys given beside the credentials that replace them: which ones are meant is unclear.
    static func checkNotBoth(type: String, config: ManifestMap) throws {
        let replaced = try replacedKeys(type: type, config: config)
        guard !replaced.isEmpty else { return }
        let (also, reason): ([ManifestKey], String) = type == "s3"
            ? ([ManifestSchema.S3.sessionToken], "when credentials_source is instance_profile")
            : ([], "when sas_token is given")
        guard let given = (replaced + also).first(where: { !config.isMissing($0) }) else { return }
        throw ManifestError.value(
            config.keyPath(given.name), "must be empty \(reason)", at: config.location(of: config.lookup(given)?.node))
    }
}
