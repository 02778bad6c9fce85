import Foundation
import Signing
import Transport

/// The EC2 instance metadata service, IMDSv2: a session token first (`PUT /latest/api/token`), then the
/// instance profile's role name and that role's temporary credentials, each asked with the token.
/// Its answers are credentials: no error text ever quotes a body or a token.
struct InstanceMetadataClient: Sendable {
    /// The standard address, and the variable AWS's SDKs read to override it.
    static let defaultEndpoint = "http://169.254.169.254"
    static let endpointVariable = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"
    /// Seconds the metadata session token is asked to live: long enough for the three requests of one fetch.
    static let tokenLifetime = 300

    let endpoint: String
    let http: HTTPClient

    init(environment: [String: String]) {
        let configured = environment[Self.endpointVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultEndpoint
        endpoint = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        // The service is on the link-local network: an answer is quick, or there is no service.
        http = HTTPClient(options: HTTPClientOptions(connectTimeout: .seconds(5), stallTimeout: .seconds(10)))
    }

    /// The role's credentials, with the time they expire.
    func roleCredentials() async throws -> (credentials: SigV4Credentials, expiration: Date) {
        let token = try await text(HTTPRequest(
            method: "PUT", url: endpoint + "/latest/api/token",
            headers: [HTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenLifetime))]),
            asking: "a session token")
        let authorized = [HTTPHeader("X-aws-ec2-metadata-token", token)]
        let roles = try await text(
            HTTPRequest(method: "GET", url: endpoint + Self.credentialsPath, headers: authorized),
            asking: "the instance profile's role (is an IAM role attached to the instance?)")
        guard let role = roles.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }),
              !role.isEmpty else {
            throw InstanceMetadataError("the instance has no IAM role attached (no instance profile)", retryable: false)
        }
        let document = try await text(
            HTTPRequest(method: "GET", url: endpoint + Self.credentialsPath + PercentEncoding.encodeComponent(role), headers: authorized),
            asking: "the credentials of role \(role)")
        return try Self.parse(document, role: role)
    }

    struct Document: Decodable {
        var Code: String?
        var AccessKeyId: String?
        var SecretAccessKey: String?
        var Token: String?
        var Expiration: String?
    }

    /// The role credentials document: `Code` `Success`, the keys, the token and an ISO 8601 `Expiration`.
    static func parse(_ text: String, role: String) throws -> (credentials: SigV4Credentials, expiration: Date) {
        let malformed = InstanceMetadataError("the credentials of role \(role) are not a credentials document", retryable: false)
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(text.utf8)) else { throw malformed }
        if let code = document.Code, code != "Success" {
            throw InstanceMetadataError("the credentials of role \(role) are not available (Code \(code))", retryable: true)
        }
        guard let key = document.AccessKeyId, !key.isEmpty, let secret = document.SecretAccessKey, !secret.isEmpty,
              let token = document.Token, !token.isEmpty,
              let expiration = document.Expiration.flatMap(parseTime) else { throw malformed }
        return (SigV4Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token), expiration)
    }

    /// `2026-01-02T03:04:05Z`, with or without a fraction.
    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    private func text(_ request: HTTPRequest, asking what: String) async throws -> String {
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as TransportError where error.kind != .cancelled {
            throw InstanceMetadataError(
                "the instance metadata service at \(endpoint) did not answer when asked for \(what): \(error)",
                retryable: error.isRetryable)
        }
        guard (200..<300).contains(response.status) else {
            throw InstanceMetadataError(
                "the instance metadata service at \(endpoint) answered HTTP \(response.status) when asked for \(what)",
                retryable: response.status >= 500 || response.status == 429)
        }
        return response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Why instance profile credentials could not be had. Names the service and the step, never a credential.
struct InstanceMetadataError: RetryableError, CustomStringConvertible, Sendable {
    let reason: String
    let isRetryable: Bool

    init(_ reason: String, retryable: Bool) {
        self.reason = reason
        self.isRetryable = retryable
    }

    var description: String { "s3: no instance profile credentials: \(reason)" }
}
