/// `s3.credentials_source`: where an S3 destination's keys come from.
public enum S3CredentialsSource: String, Sendable, Equatable, CaseIterable {
    /// `access_key_id`, `secret_access_key` and, for temporary keys, `session_token` from the manifest.
    case `static` = "static"
    /// The EC2 instance profile's temporary keys, from the instance metadata service.
    case instanceProfile = "instance_profile"
}
