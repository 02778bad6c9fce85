import Signing
import Testing

/// Temporary credentials: the session token travels as `x-amz-security-token` and is signed like any header.
/// The expected value is botocore's (`S3SigV4Auth.add_auth` with the same credentials, request and date).
@Suite struct SigV4SessionTokenTests {
    static let credentials = SigV4Credentials(
        accessKeyID: "ASIAEXAMPLEKEY000001", secretAccessKey: "tempSECRETexample/KEY+0001",
        sessionToken: "FQoGZXIvYXdzEXAMPLE//token+with/slashes==")
    static let emptyHash = SigV4Signer.emptyPayloadHash

    @Test func theTokenIsSentAndSignedAsBotocoreDoes() throws {
        let token = try #require(Self.credentials.securityTokenHeader)
        #expect(token.name == "x-amz-security-token" && token.value == Self.credentials.sessionToken)
        let request = SigV4Request(method: "PUT", path: "/bucket/dir/key.rdb", headers: [
            .init("Host", "127.0.0.1:9000"), .init("x-amz-content-sha256", Self.emptyHash),
            .init("x-amz-date", "20261130T100847Z"), token,
        ])
        let signed = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
            .sign(request, payloadHash: Self.emptyHash, amzDate: "20261130T100847Z")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY000001/20261130/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "
            + "Signature=a19a32adb8abec87d05e6ca40355dd0973a1ea596e4f6dcb34d51f7050fd7fed")
    }

    @Test func staticKeysAddNoToken() {
        #expect(SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "s").securityTokenHeader == nil)
        #expect(SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "s", sessionToken: "").securityTokenHeader == nil)
    }

    @Test func theTokenIsNeverDescribed() {
        #expect(!"\(Self.credentials)".contains("FQoG"))
        #expect(!String(reflecting: Self.credentials).contains("FQoG"))
        #expect(Self.credentials.secrets.contains("FQoGZXIvYXdzEXAMPLE//token+with/slashes=="))
    }
}
