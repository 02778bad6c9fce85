import Testing
@testable import Manifest

@Suite struct CredentialAlternatives {
    static let s3Base = """
    - type: s3
      config:
        bucket_name: my-bucket
        bucket_path: some/path
    """

    static let azureBase = """
    - type: azure
      config:
        storage_account: account
        container: backups
        path: redis
    """

    @Test func s3KeysAreStillRequiredByDefault() {
        #expect(originalText(rendered(Self.s3Base)) == "Invalid config - Missing values for s3: access_key_id, secret_access_key.\n\(defaultMessage)")
        #expect(originalText(rendered(Self.s3Base + "\n    credentials_source: static"))
            == "Invalid config - Missing values for s3: access_key_id, secret_access_key.\n\(defaultMessage)")
    }

    @Test func anInstanceProfileReplacesTheStaticKeys() throws {
        let settings = try #require(try parse(rendered(Self.s3Base + "\n    credentials_source: instance_profile")).firstS3)
        #expect(settings.credentialsSource == .instanceProfile)
        #expect(settings.accessKeyID.isEmpty && settings.sessionToken == nil)
        // The other required keys still are.
        #expect(originalText(rendered("""
        - type: s3
          config:
            credentials_source: instance_profile
        """)) == "Invalid config - Missing values for s3: bucket_name, bucket_path.\n\(defaultMessage)")
    }

    @Test func staticKeysBesideAnInstanceProfileAreRefusedWithoutTheirValue() {
        let text = originalText(rendered(Self.s3Base + "\n    credentials_source: instance_profile\n    secret_access_key: wJalrSECRET"))
        #expect(text.hasPrefix("Invalid config - destinations[0] (s3): config.secret_access_key must be empty when credentials_source is instance_profile"))
        #expect(!text.contains("wJalrSECRET"))
        let token = originalText(rendered(Self.s3Base + "\n    credentials_source: instance_profile\n    session_token: FQoGtoken"))
        #expect(token.contains("session_token must be empty when credentials_source is instance_profile"))
    }

    @Test func aSessionTokenIsASecretSetting() throws {
        let settings = try #require(try parse(rendered(s3Entry.replacingOccurrences(
            of: "    secret_access_key: wJalrSECRETKEYexample0001",
            with: "    secret_access_key: wJalrSECRETKEYexample0001\n    session_token: FQoGZXIvtoken"))).firstS3)
        #expect(settings.sessionToken?.reveal() == "FQoGZXIvtoken")
        #expect(settings.credentialsSource == .static)
        #expect(ManifestSchema.key("s3.session_token")?.secret == true)
        #expect(!"\(settings)".contains("FQoGZXIvtoken"))
    }

    @Test func anUnknownCredentialsSourceNamesTheKey() {
        #expect(originalText(rendered(Self.s3Base + "\n    credentials_source: environment"))
            .contains("credentials_source must be one of static, instance_profile"))
    }

    @Test func aSASReplacesTheAccountKeyWithOrWithoutItsQuestionMark() throws {
        #expect(originalText(rendered(Self.azureBase)) == "Invalid config - Missing values for azure: storage_access_key.\n\(defaultMessage)")
        for written in ["sv=2021-12-02&sr=c&sig=abc%3D", "?sv=2021-12-02&sr=c&sig=abc%3D"] {
            let settings = try #require(try parse(rendered(Self.azureBase + "\n    sas_token: \"\(written)\"")).firstAzure)
            #expect(settings.sasToken?.reveal() == "sv=2021-12-02&sr=c&sig=abc%3D")
            #expect(settings.storageAccessKey.isEmpty)
        }
        #expect(ManifestSchema.key("azure.sas_token")?.secret == true)
    }

    @Test func aSASBesideTheAccountKeyIsRefused() {
        let text = originalText(rendered(Self.azureBase + "\n    sas_token: sv=1&sig=SIGNATURE\n    storage_access_key: S2V5S2V5"))
        #expect(text.contains("storage_access_key must be empty when sas_token is given"))
        #expect(!text.contains("SIGNATURE") && !text.contains("S2V5S2V5"))
    }
}
