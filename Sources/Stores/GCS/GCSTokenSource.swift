import Foundation
import Signing
import Storage
import Transport

/// Access tokens of a service account (OAuth 2.0 JWT bearer grant, RFC 7523): a JWT signed (RS256) with the
/// key file's private key is exchanged at the key file's `token_uri`. The token is cached and renewed
/// before it expires (a tenth of its lifetime early, at most a minute), or at once when the service
/// refused it (`invalidate`). Concurrent callers share one exchange. Tokens and assertions are never logged.
actor GCSTokenSource {
    /// Read and write access to objects and buckets, no IAM.
    static let scope = "https://www.googleapis.com/auth/devstorage.read_write"

    private struct Token {
        let value: String
        let renewAt: ContinuousClock.Instant
    }

    let account: GCSServiceAccount
    private let http: HTTPClient
    private let retry: RetryPolicy
    private var current: Token?
    private var pending: Task<Token, any Error>?

    init(account: GCSServiceAccount, http: HTTPClient, retry: RetryPolicy) {
        self.account = account
        self.http = http
        self.retry = retry
    }

    /// A token valid for a while yet.
    func token() async throws -> String {
        if let current, ContinuousClock.now < current.renewAt { return current.value }
        if let pending { return try await pending.value.value }
        let (account, http, retry) = (account, http, retry)
        let task = Task { try await Self.exchange(account: account, http: http, retry: retry) }
        pending = task
        defer { pending = nil }
        let token = try await task.value
        current = token
        return token.value
    }

    /// Forgets `token` when the service refused it, so the next call fetches a fresh one.
    func invalidate(_ token: String) {
        if current?.value == token { current = nil }
    }

    private static func exchange(account: GCSServiceAccount, http: HTTPClient, retry: RetryPolicy) async throws -> Token {
        let operation = "token request for \(account.clientEmail) at \(account.tokenURI)"
        return try await retry.run {
            let claims = ServiceAccountClaims(
                issuer: account.clientEmail, scope: scope, audience: account.tokenURI,
                issuedAt: Int64(Date().timeIntervalSince1970))
            let assertion: String
            do {
                assertion = try JWT.rs256(claims: claims, keyID: account.privateKeyID, privateKeyPEM: account.privateKey.reveal())
            } catch let error as JWT.SigningError {
                throw StoreError(.permanent, "gcs: the private_key of service_account_json \(error)")
            }
            let form = "grant_type=" + PercentEncoding.encodeComponent("urn:ietf:params:oauth:grant-type:jwt-bearer")
                + "&assertion=" + assertion
            let started = ContinuousClock.now
            let response = try await http.send(HTTPRequest(
                method: "POST", url: account.tokenURI,
                headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")], body: .bytes(Array(form.utf8))))
            guard response.status == 200 else {
                let error = GCSServiceError(operation: operation, response: response, account: account.clientEmail)
                if (400..<500).contains(response.status), !error.isRetryable {
                    throw StoreError(.unauthorized, error.description
                        + "; check service_account_json (its key may be deleted, disabled or not this account's)")
                }
                throw error
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                  let value = object["access_token"] as? String, !value.isEmpty
            else {
                throw StoreError(.permanent, "gcs: the \(operation) answered without an access_token")
            }
            let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 3600
            let early = min(60, lifetime / 10)
            return Token(value: value, renewAt: started + .milliseconds(Int64(max(0, lifetime - early) * 1000)))
        }
    }
}
