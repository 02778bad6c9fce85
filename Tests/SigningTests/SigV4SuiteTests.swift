import Foundation
import Signing
import Testing

/// AWS's SigV4 test suite (as shipped in botocore's tests): every vector that applies to header signing.
///
/// The top-level vectors have no dot segments, repeated slashes or pre-encoded paths, so S3's rules (path
/// as given, encoded once) and the generic rules give the same canonical request: they run with `.s3`.
/// The `normalize-path` vectors need the generic service's normalisation and run with it switched on.
/// The suite writes request paths unencoded (`/example space/`, `/ሴ`), which is the decoded path this
/// signer takes, encoded once; generic services' second encoding only shows for a path whose wire
/// form holds `%`, which no vector has (`s3KeepsThePathAsGiven` covers both rules for that case).
@Suite struct SigV4SuiteTests {
    static let credentials = SigV4Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    struct Vector: CustomTestStringConvertible, Sendable {
        var name: String
        var folder: URL
        var testDescription: String { name }

        func text(_ suffix: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent("\(folder.lastPathComponent).\(suffix)"), encoding: .utf8)
        }
    }

    static func vectors(under subfolder: String) -> [Vector] {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
            .appendingPathComponent("aws4_testsuite").appendingPathComponent(subfolder),
              let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.sorted().compactMap { name in
            let folder = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name).req").path) else { return nil }
            return Vector(name: name, folder: folder)
        }
    }

    /// A `.req` file: request line, `Name:value` headers, a blank line, the body.
    static func parse(_ text: String) throws -> (request: SigV4Request, body: String) {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        let requestLine = lines[0]
        let method = String(requestLine.prefix { $0 != " " })
        let target = requestLine.dropFirst(method.count + 1).replacingOccurrences(of: " HTTP/1.1", with: "")
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var request = SigV4Request(method: method, path: try #require(PercentEncoding.decode(String(pathPart[0]))))
        if pathPart.count == 2 {
            for pair in pathPart[1].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                request.query.append(.init(
                    try #require(PercentEncoding.decode(String(parts[0]))),
                    try #require(PercentEncoding.decode(parts.count == 2 ? String(parts[1]) : ""))
                ))
            }
        }
        var index = 1
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            let colon = try #require(line.firstIndex(of: ":"))
            request.headers.append(.init(String(line[..<colon]), String(line[line.index(after: colon)...])))
            index += 1
        }
        let body = index + 1 < lines.count ? lines[(index + 1)...].joined(separator: "\n") : ""
        return (request, body)
    }

    func check(_ vector: Vector, options: SigV4Signer.Options) throws {
        let (request, body) = try Self.parse(vector.text("req"))
        let amzDate = try #require(request.headers.first { $0.name.lowercased() == "x-amz-date" }?.value)
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service", options: options)
        let signed = signer.sign(request, payloadHash: Digest.hex(Digest.sha256(Array(body.utf8))), amzDate: amzDate)
        #expect(signed.canonicalRequest == (try vector.text("creq")))
        #expect(signed.stringToSign == (try vector.text("sts")))
        #expect(signed.authorization == (try vector.text("authz")))
    }

    @Test func suiteIsPresent() {
        #expect(Self.vectors(under: "").count >= 20)
        #expect(Self.vectors(under: "normalize-path").count >= 8)
    }

    @Test(arguments: vectors(under: ""))
    func vectorSignedWithS3Rules(_ vector: Vector) throws {
        try check(vector, options: .s3)
    }

    @Test(arguments: vectors(under: "normalize-path"))
    func normalizePathVector(_ vector: Vector) throws {
        try check(vector, options: .init(normalizePath: true))
    }

    @Test func s3KeepsThePathAsGiven() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
        #expect(signer.sign(SigV4Request(method: "GET", path: "//example/./a/../b//"), payloadHash: "", amzDate: "20150830T123600Z")
            .canonicalRequest.components(separatedBy: "\n")[1] == "//example/./a/../b//")
        #expect(signer.sign(SigV4Request(method: "GET", path: "/a%b"), payloadHash: "", amzDate: "20150830T123600Z")
            .canonicalRequest.components(separatedBy: "\n")[1] == "/a%25b")
        let generic = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "service",
                                  options: .init(normalizePath: true, doubleEncodePath: true))
        #expect(generic.sign(SigV4Request(method: "GET", path: "/a%b"), payloadHash: "", amzDate: "20150830T123600Z")
            .canonicalRequest.components(separatedBy: "\n")[1] == "/a%2525b")
    }
}
