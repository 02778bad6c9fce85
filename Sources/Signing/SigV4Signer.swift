import Foundation

/// An access key pair, with the session token of temporary credentials. Its descriptions never show a secret.
public struct SigV4Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// The token of temporary credentials (STS, an instance profile), sent as `x-amz-security-token` and signed.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The header temporary credentials add to every request, to be signed with the others; none without a token.
    public var securityTokenHeader: SigV4Request.Header? {
        guard let sessionToken, !sessionToken.isEmpty else { return nil }
        return SigV4Request.Header("x-amz-security-token", sessionToken)
    }

    /// The texts an error must never show.
    public var secrets: [String] { [accessKeyID, secretAccessKey] + (sessionToken.map { [$0] } ?? []) }

    public var description: String {
        "SigV4Credentials(accessKeyID: <redacted>, secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }
}

/// AWS Signature Version 4 for the `Authorization` header, as a pure function of a request.
///
/// S3 signs the path as sent: no dot-segment or slash normalisation, each segment encoded once. Other
/// AWS services (and the generic test suite) normalise the path and encode it a second time; the
/// options switch that on.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable {
        public var normalizePath: Bool
        public var doubleEncodePath: Bool

        public init(normalizePath: Bool = false, doubleEncodePath: Bool = false) {
            self.normalizePath = normalizePath
            self.doubleEncodePath = doubleEncodePath
        }

        /// S3's rules: the path exactly as given.
        public static let s3 = Options()
    }

    /// Every step of one signature, for tests and for debugging a mismatch (the signature is a secret-derived value: never log it).
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
    }

    /// The payload hash of a request whose body is not signed: S3 then checks the body against the
    /// `x-amz-checksum-*` header the request carries instead.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The SHA-256 of an empty body, the payload hash of every request without one.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var credentials: SigV4Credentials
    public var region: String
    public var service: String
    public var options: Options

    public init(credentials: SigV4Credentials, region: String, service: String = "s3", options: Options = .s3) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    /// Signs `request`, whose headers must already hold `x-amz-date` = `amzDate` (and, for S3, `x-amz-content-sha256`).
    public func sign(_ request: SigV4Request, payloadHash: String, amzDate: String) -> Signature {
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers)
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let stringToSign = [
            Self.algorithm, amzDate, scope, Digest.hex(Digest.sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature = Digest.hex(Digest.hmacSHA256(key: signingKey(day: day), Array(stringToSign.utf8)))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, authorization: authorization)
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    public func signingKey(day: String) -> [UInt8] {
        var key = Digest.hmacSHA256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), Array(day.utf8))
        for part in [region, service, "aws4_request"] {
            key = Digest.hmacSHA256(key: key, Array(part.utf8))
        }
        return key
    }

    func canonicalURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : "/" + path
        let normalized = options.normalizePath ? Self.removeDotSegments(absolute) : absolute
        let encoded = PercentEncoding.encodePath(normalized)
        return options.doubleEncodePath ? PercentEncoding.encodePath(encoded) : encoded
    }

    static func canonicalQuery(_ items: [SigV4Request.QueryItem]) -> String {
        items.map { (PercentEncoding.encodeComponent($0.name), PercentEncoding.encodeComponent($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Lowercased names, sorted; values trimmed, inner runs of spaces squeezed, repeats joined by commas in order.
    static func canonicalHeaders(_ headers: [SigV4Request.Header]) -> (canonical: String, signed: String) {
        var values: [String: [String]] = [:]
        for header in headers {
            values[header.name.lowercased(), default: []].append(squeezeSpaces(header.value))
        }
        let names = values.keys.sorted()
        let canonical = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    static func squeezeSpaces(_ value: String) -> String {
        let squeezed = { value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        // Most values have no tab, no space at either end and no two spaces in a row: they stay as they are.
        var previous: UInt8 = 0x20
        for byte in value.utf8 {
            if byte == 0x09 || (byte == 0x20 && previous == 0x20) { return squeezed() }
            previous = byte
        }
        return previous == 0x20 ? squeezed() : value
    }

    /// `/a/./b/../c//` → `/a/c/`: dot segments resolved, empty segments dropped, a trailing slash kept.
    static func removeDotSegments(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let joined = "/" + segments.joined(separator: "/")
        return path.hasSuffix("/") && joined != "/" ? joined + "/" : joined
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let (year, month, day) = (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        return String(zeroPadded: year, width: 4) + String(zeroPadded: month, width: 2) + String(zeroPadded: day, width: 2) + "T"
            + String(zeroPadded: Int(parts.tm_hour), width: 2) + String(zeroPadded: Int(parts.tm_min), width: 2)
            + String(zeroPadded: Int(parts.tm_sec), width: 2) + "Z"
    }
}
