import Foundation
import Testing
@testable import Signing

/// The fixed claims of `JWTVectors`, in the shape the store sends.
private let vectorClaims = ServiceAccountClaims(
    issuer: "backups@project.iam.gserviceaccount.com",
    scope: "https://www.googleapis.com/auth/devstorage.read_write",
    audience: "https://oauth2.googleapis.com/token", issuedAt: 1_700_000_000)

@Suite struct JWTSigning {
    @Test func matchesAnIndependentSignerByteForByte() throws {
        let jwt = try JWT.rs256(claims: vectorClaims, keyID: "key-1", privateKeyPEM: JWTVectors.pkcs8)
        #expect(jwt == JWTVectors.jwt)
    }

    @Test func headerAndClaimsAreTheSortedJSON() throws {
        let jwt = try JWT.rs256(claims: vectorClaims, keyID: "key-1", privateKeyPEM: JWTVectors.pkcs8)
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        #expect(parts[0] == JWT.base64URL(Array(JWTVectors.header.utf8)))
        #expect(parts[1] == JWT.base64URL(Array(JWTVectors.claims.utf8)))
        #expect(!jwt.contains("=") && !jwt.contains("+") && !jwt.contains("/"))
    }

    @Test func pkcs1KeysSignTheSame() throws {
        let fromPKCS1 = try JWT.rs256(claims: vectorClaims, keyID: "key-1", privateKeyPEM: JWTVectors.pkcs1)
        #expect(fromPKCS1 == JWTVectors.jwt)
    }

    @Test func noKeyIDLeavesKidOut() throws {
        let jwt = try JWT.rs256(claims: vectorClaims, keyID: nil, privateKeyPEM: JWTVectors.pkcs8)
        #expect(jwt.split(separator: ".").first.map(String.init) == JWT.base64URL(Array(#"{"alg":"RS256","typ":"JWT"}"#.utf8)))
    }

    @Test func lifetimeIsAnHourByDefault() {
        #expect(vectorClaims.exp - vectorClaims.iat == 3600)
    }

    @Test func refusesWhatIsNotAnRSAPrivateKey() {
        #expect(throws: JWT.SigningError.notAPrivateKey) {
            try JWT.signRS256([1, 2, 3], privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
        }
        #expect(throws: JWT.SigningError.notAPrivateKey) { try JWT.signRS256([1], privateKeyPEM: "") }
        #expect(throws: JWT.SigningError.notRSA) { try JWT.signRS256([1], privateKeyPEM: JWTVectors.ecKey) }
    }

    @Test func errorsNeverHoldTheKey() {
        for error in [JWT.SigningError.notAPrivateKey, .notRSA, .signingFailed] {
            #expect(!error.description.contains("BEGIN"))
        }
    }

    @Test func base64URLHasNoPadding() {
        #expect(JWT.base64URL([0xfb, 0xff]) == "-_8")
        #expect(JWT.base64URL([]) == "")
    }
}
