import Foundation
import Manifest
import Signing
import Storage
import Testing
import Transport
@testable import Stores

@Suite struct S3TemporaryKeysTests {
    static let keys = SigV4Credentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "tempSECRET", sessionToken: "FQoGtoken/+=")

    func client(_ provider: any S3CredentialProvider) throws -> S3Client {
        S3Client(
            http: HTTPClient(),
            endpoint: try S3Endpoint.make(endpointURL: "http://127.0.0.1:9000", bucket: "bucket", region: "us-east-1", pathStyle: true),
            bucket: "bucket", region: "us-east-1", credentials: provider, retry: .never, window: ConcurrencyWindow(permits: 1))
    }

    @Test func theSessionTokenIsSentAndSigned() throws {
        let request = try client(StaticS3Credentials(keys: Self.keys))
            .request(for: .init(name: "upload", method: "PUT", key: "a/b"), signedWith: Self.keys)
        #expect(request.headers.contains(HTTPHeader("x-amz-security-token", "FQoGtoken/+=")))
        let authorization = try #require(request.headers.first { $0.name == "Authorization" }?.value)
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(authorization.contains("Credential=ASIAEXAMPLE/"))
    }

    @Test func staticKeysSendNoToken() throws {
        let keys = SigV4Credentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "s")
        let request = try client(StaticS3Credentials(keys: keys)).request(for: .init(name: "upload", method: "PUT", key: "a"), signedWith: keys)
        #expect(!request.headers.contains { $0.name.lowercased() == "x-amz-security-token" })
    }

    @Test func theManifestChoosesTheProvider() {
        var settings = S3Settings(accessKeyID: Secret("AKIA"), secretAccessKey: Secret("s"), bucketName: "b", bucketPath: "p")
        settings.sessionToken = Secret("tok")
        let fixed = settings.credentialProvider(environment: [:])
        #expect((fixed as? StaticS3Credentials)?.keys == SigV4Credentials(accessKeyID: "AKIA", secretAccessKey: "s", sessionToken: "tok"))
        settings.credentialsSource = .instanceProfile
        #expect(settings.credentialProvider(environment: [:]) is InstanceProfileCredentials)
    }
}

@Suite struct InstanceMetadataTests {
    @Test func theEndpointComesFromTheStandardVariable() {
        #expect(InstanceMetadataClient(environment: [:]).endpoint == "http://169.254.169.254")
        #expect(InstanceMetadataClient(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:8111/"]).endpoint
            == "http://127.0.0.1:8111")
        #expect(InstanceMetadataClient(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": ""]).endpoint == "http://169.254.169.254")
    }

    @Test func readsTheRoleCredentialsDocument() throws {
        let document = """
        {"Code":"Success","LastUpdated":"2026-01-02T03:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAX",
         "SecretAccessKey":"sec","Token":"tok","Expiration":"2026-01-02T09:04:05Z"}
        """
        let (keys, expiration) = try InstanceMetadataClient.parse(document, role: "r")
        #expect(keys == SigV4Credentials(accessKeyID: "ASIAX", secretAccessKey: "sec", sessionToken: "tok"))
        #expect(expiration == Date(timeIntervalSince1970: 1_767_344_645))
        #expect(InstanceMetadataClient.parseTime("2026-01-02T09:04:05.5Z") == Date(timeIntervalSince1970: 1_767_344_645.5))
    }

    @Test func aBadDocumentIsNamedWithoutItsContent() {
        for document in ["not json sec-ret", #"{"Code":"Success","AccessKeyId":"ASIAX","SecretAccessKey":"sec-ret"}"#] {
            #expect {
                try InstanceMetadataClient.parse(document, role: "r")
            } throws: { error in
                "\(error)" == "s3: no instance profile credentials: the credentials of role r are not a credentials document"
            }
        }
        #expect {
            try InstanceMetadataClient.parse(#"{"Code":"Expired"}"#, role: "r")
        } throws: { error in
            "\(error)".contains("(Code Expired)") && (error as? InstanceMetadataError)?.isRetryable == true
        }
    }
}

@Suite struct AzureSASTests {
    static let sas = "sv=2021-12-02&sr=c&sp=rwdl&se=2026-01-02T03%3A04%3A05Z&sig=SiGnAtUrE%2Bvalue%3D"

    @Test func theSASGoesOnTheQueryOfEachRequest() {
        let authorization = AzureAuthorization.sas(Self.sas)
        let plain = authorization.authorize(HTTPRequest(method: "GET", url: "http://h/a/c/blob"))
        #expect(plain.url == "http://h/a/c/blob?" + Self.sas)
        let queried = authorization.authorize(HTTPRequest(method: "PUT", url: "http://h/a/c?restype=container"))
        #expect(queried.url == "http://h/a/c?restype=container&" + Self.sas)
        #expect(!queried.headers.contains { $0.name == "Authorization" })
    }

    @Test func errorTextsLoseEveryPartOfTheSAS() {
        let authorization = AzureAuthorization.sas(Self.sas)
        let text = authorization.redacted("answer for /a/c?\(Self.sas) and SiGnAtUrE+value= and SiGnAtUrE%2Bvalue%3D")
        #expect(!text.contains("SiGnAtUrE"))
        #expect(AzureAuthorization.sas(Self.sas).usesSAS)
    }

    @Test func aRefusedSASSaysWhatToCheck() {
        let response = HTTPResponse(status: 403, headers: ["x-ms-error-code": "AuthorizationPermissionMismatch"])
        let error = AzureServiceError(operation: "Put Blob x", response: response, sas: true)
        #expect(!error.isRetryable)
        #expect(error.description.contains("shared access signature") && error.description.contains("sas_token"))
        #expect(StoreError.azure(error).kind == .unauthorized)
    }

    @Test func aStoreWithASASNeedsNoKey() throws {
        var settings = AzureSettings(storageAccount: "acct", storageAccessKey: Secret(""), container: "backups", path: "p",
                                     endpoint: "http://127.0.0.1:1/acct")
        settings.sasToken = Secret(Self.sas)
        let store = try AzureStore(settings: settings, window: ConcurrencyWindow(permits: 1))
        #expect(store.client.authorization.usesSAS)
    }
}
