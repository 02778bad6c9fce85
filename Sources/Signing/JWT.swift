import CCrypto
import Foundation

/// JSON Web Tokens signed with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), as OAuth 2.0's JWT bearer grant
/// (RFC 7523) uses them: a pure function of the claims, the key and nothing else.
public enum JWT {
    /// Why a token could not be signed. The texts never hold the key.
    public enum SigningError: Error, Equatable, CustomStringConvertible, Sendable {
        case notAPrivateKey, notRSA, signingFailed

        public var description: String {
            switch self {
            case .notAPrivateKey: "is not an unencrypted PEM private key"
            case .notRSA: "is not an RSA private key"
            case .signingFailed: "could not sign with the private key"
            }
        }
    }

    /// `header.claims.signature`, each part base64url without padding. The header is
    /// `{"alg":"RS256","kid":…,"typ":"JWT"}` (kid only when given); both objects' keys are sorted.
    public static func rs256<Claims: Encodable>(claims: Claims, keyID: String?, privateKeyPEM: String) throws -> String {
        var header = ["alg": "RS256", "typ": "JWT"]
        if let keyID, !keyID.isEmpty { header["kid"] = keyID }
        let signingInput = try base64URL(json(header)) + "." + base64URL(json(claims))
        let signature = try signRS256(Array(signingInput.utf8), privateKeyPEM: privateKeyPEM)
        return signingInput + "." + base64URL(signature)
    }

    /// The RS256 signature of `data` with the RSA key in `privateKeyPEM` (PKCS#8 or PKCS#1 PEM).
    public static func signRS256(_ data: [UInt8], privateKeyPEM: String) throws -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 1024)
        var length = signature.count
        let pem = Array(privateKeyPEM.utf8)
        let status = pem.withUnsafeBufferPointer { key in
            key.withMemoryRebound(to: CChar.self) { text in
                sb_rsa_sha256_sign(text.baseAddress, text.count, data, data.count, &signature, &length)
            }
        }
        switch status {
        case 0: return Array(signature.prefix(length))
        case 1: throw SigningError.notAPrivateKey
        case 2: throw SigningError.notRSA
        default: throw SigningError.signingFailed
        }
    }

    /// Base64url (RFC 4648 §5) without padding.
    public static func base64URL<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func json<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}

/// The claims of a service account's token request (Google's OAuth 2.0 for server-to-server applications):
/// who asks (`iss`, the account's e-mail), for what (`scope`), of whom (`aud`, the token endpoint), and
/// when (`iat`, `exp`, seconds since 1970; at most an hour apart).
public struct ServiceAccountClaims: Encodable, Sendable, Equatable {
    public var iss: String
    public var scope: String
    public var aud: String
    public var iat: Int64
    public var exp: Int64

    public init(issuer: String, scope: String, audience: String, issuedAt: Int64, lifetime: Int64 = 3600) {
        self.iss = issuer
        self.scope = scope
        self.aud = audience
        self.iat = issuedAt
        self.exp = issuedAt + lifetime
    }
}
