import Foundation
import Signing
import Testing

/// AWS's published S3 examples ("Examples: Signature Calculations", examplebucket, 24 May 2013) and object
/// keys full of characters that need encoding, checked against signatures botocore computed.
@Suite struct SigV4S3Tests {
    static let signer = SigV4Signer(
        credentials: SigV4Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1"
    )
    static let date = "20130524T000000Z"

    static func signature(_ method: String, _ path: String, query: [SigV4Request.QueryItem] = [],
                          headers: [SigV4Request.Header] = [], payloadHash: String = SigV4Signer.emptyPayloadHash) -> SigV4Signer.Signature {
        let all = [SigV4Request.Header("Host", "examplebucket.s3.amazonaws.com"),
                   .init("x-amz-date", date), .init("x-amz-content-sha256", payloadHash)] + headers
        return signer.sign(SigV4Request(method: method, path: path, query: query, headers: all), payloadHash: payloadHash, amzDate: date)
    }

    @Test func getObjectWithRange() {
        let signed = Self.signature("GET", "/test.txt", headers: [.init("Range", "bytes=0-9")])
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = Digest.hex(Digest.sha256(body))
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = Self.signature("PUT", "/test$file.text", headers: [
            .init("Date", "Fri, 24 May 2013 00:00:00 GMT"), .init("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ], payloadHash: hash)
        #expect(signed.canonicalRequest.components(separatedBy: "\n")[1] == "/test%24file.text")
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycle() {
        let signed = Self.signature("GET", "/", query: [.init("lifecycle")])
        #expect(signed.canonicalRequest.components(separatedBy: "\n")[2] == "lifecycle=")
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjects() {
        let signed = Self.signature("GET", "/", query: [.init("prefix", "J"), .init("max-keys", "2")])
        #expect(signed.canonicalRequest.components(separatedBy: "\n")[2] == "max-keys=2&prefix=J")
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    struct SpecialKeys: Decodable {
        struct Case: Decodable {
            var method: String
            var key: String
            var query: [[String]]
            var payload_hash: String
            var authorization: String
        }
        var access_key: String
        var secret_key: String
        var region: String
        var host: String
        var date: String
        var cases: [Case]
    }

    @Test func keysWithCharactersThatNeedEncoding() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("s3_special_keys/expected.json")
        let fixture = try JSONDecoder().decode(SpecialKeys.self, from: Data(contentsOf: url))
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: fixture.access_key, secretAccessKey: fixture.secret_key),
            region: fixture.region
        )
        #expect(fixture.cases.count >= 15)
        let characters = " +=&~!'()*@$%ü日"
        #expect(characters.allSatisfy { character in fixture.cases.contains { $0.key.contains(character) } })
        for item in fixture.cases {
            let request = SigV4Request(
                method: item.method, path: "/" + item.key,
                query: item.query.map { .init($0[0], $0[1]) },
                headers: [.init("Content-Type", "application/octet-stream"), .init("Host", fixture.host),
                          .init("X-Amz-Content-SHA256", item.payload_hash), .init("X-Amz-Date", fixture.date)]
            )
            let signed = signer.sign(request, payloadHash: item.payload_hash, amzDate: fixture.date)
            #expect(signed.authorization == item.authorization, "key \(item.key.debugDescription), query \(item.query)")
        }
    }

    @Test func encodingKeepsOnlyUnreservedCharacters() {
        #expect(PercentEncoding.encodeComponent("a b+c=d&e~f!g'h(i)j*k@l$m%n/ü") ==
            "a%20b%2Bc%3Dd%26e~f%21g%27h%28i%29j%2Ak%40l%24m%25n%2F%C3%BC")
        #expect(PercentEncoding.encodePath("/dir one/ü/") == "/dir%20one/%C3%BC/")
        #expect(PercentEncoding.decode("%E1%88%B4+x") == "ሴ+x")
        #expect(PercentEncoding.decode("%G1") == nil)
    }

    @Test func amzDateIsUTC() {
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_369_353_600)) == "20130524T000000Z")
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_735_787_045.9)) == "20250102T030405Z")
    }

    @Test func credentialsNeverDescribeTheSecret() {
        let credentials = SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t")
        #expect(!"\(credentials)".contains("s3cr3t"))
        #expect(!String(reflecting: credentials).contains("s3cr3t"))
    }

    /// Values are trimmed and inner runs of spaces and tabs become one space; plain values are signed as given.
    @Test(arguments: [
        ("plain value", "plain value"), ("  lead", "lead"), ("trail  ", "trail"), ("a  b", "a b"), ("a\tb", "a b"),
        (" a \t b ", "a b"), ("   ", ""), ("", ""), ("x", "x"), ("a b c", "a b c"),
    ])
    func headerValuesAreTrimmedAndSqueezed(_ value: String, _ canonical: String) {
        let signer = Self.signer
        let request = SigV4Request(method: "GET", path: "/", headers: [.init("Host", "h"), .init("X-Test", value)])
        let signed = signer.sign(request, payloadHash: SigV4Signer.emptyPayloadHash, amzDate: Self.date)
        #expect(signed.canonicalRequest.contains("\nx-test:\(canonical)\n"))
    }
}
