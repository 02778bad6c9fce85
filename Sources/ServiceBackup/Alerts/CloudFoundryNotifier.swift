import Foundation
import Manifest
import Transport

/// The original's notification e-mail to a Cloud Foundry space: find UAA from the Cloud Controller's
/// `/v2/info`, take a token as the CC user, look up the org and its space, take a token as the
/// notifications client, then POST the notification to `<service_url>/spaces/<space guid>`.
struct CloudFoundryNotifier: Sendable {
    static let kindID = "service-alerts"

    let alerts: Alerts
    let requester: AlertRequester

    func send(subject: String, text: String) async throws {
        let uaa = try await uaaURL()
        let userToken = try await token(
            uaa, grant: Self.passwordGrant(user: alerts.cfUser ?? "", password: alerts.cfPassword?.reveal() ?? ""),
            basicAuth: ("cf", ""))
        let org = try await guid(path: "/v2/organizations", name: alerts.cfOrg ?? "", kind: "org", token: userToken)
        let space = try await guid(path: "/v2/organizations/\(org)/spaces", name: alerts.cfSpace ?? "", kind: "space", token: userToken)
        let clientToken = try await token(
            uaa, grant: "grant_type=client_credentials",
            basicAuth: (alerts.clientID ?? "", alerts.clientSecret?.reveal() ?? ""))
        try await notify(space: space, token: clientToken, subject: subject, text: text)
    }

    private func uaaURL() async throws -> String {
        let url = try Self.join(alerts.cfURL ?? "", "/v2/info")
        let response = try await requester.send("CF INFO", HTTPRequest(method: "GET", url: url))
        guard let info = try? JSONDecoder().decode(Info.self, from: Data(response.body)) else {
            throw AlertRequestError(description: "CF response not parseable")
        }
        return info.tokenEndpoint ?? ""
    }

    private func token(_ uaa: String, grant: String, basicAuth: (String, String)) async throws -> String {
        let credentials = Data("\(basicAuth.0):\(basicAuth.1)".utf8).base64EncodedString()
        let request = HTTPRequest(
            method: "POST", url: try Self.join(uaa, "/oauth/token"),
            headers: [
                HTTPHeader("Authorization", "Basic \(credentials)"),
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: .bytes(Array(grant.utf8)))
        let response = try await requester.send("UAA", request)
        guard let token = try? JSONDecoder().decode(Token.self, from: Data(response.body)) else {
            throw AlertRequestError(description: "UAA response not parseable")
        }
        return token.accessToken ?? ""
    }

    private func guid(path: String, name: String, kind: String, token: String) async throws -> String {
        let url = try Self.join(alerts.cfURL ?? "", path, filter: "name:\(name)")
        let request = HTTPRequest(method: "GET", url: url, headers: [HTTPHeader("Authorization", "Bearer \(token)")])
        let response = try await requester.send("CF API", request)
        guard let resources = try? JSONDecoder().decode(Resources.self, from: Data(response.body)) else {
            throw AlertRequestError(description: "CF response not parseable")
        }
        guard (resources.totalResults ?? 0) > 0, let guid = resources.resources?.first?.metadata.guid else {
            throw AlertRequestError(description: "CF \(kind) not found: '\(name)'")
        }
        return guid
    }

    private func notify(space: String, token: String, subject: String, text: String) async throws {
        let notification = Notification(kindID: Self.kindID, subject: subject, text: text, replyTo: alerts.replyTo)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let request = HTTPRequest(
            method: "POST", url: try Self.join(alerts.notificationsServiceURL ?? "", "/spaces/\(space)"),
            headers: [
                HTTPHeader("X-NOTIFICATIONS-VERSION", "1"),
                HTTPHeader("Authorization", "Bearer \(token)"),
                HTTPHeader("Content-Type", "application/json"),
            ],
            body: .bytes(Array(try encoder.encode(notification))))
        _ = try await requester.send("CF Notifications", request)
    }

    // MARK: Pure pieces

    /// The password grant the original sent (its fields in its order), values form-encoded.
    static func passwordGrant(user: String, password: String) -> String {
        "grant_type=password&username=\(formEncoded(user))&scope=&password=\(formEncoded(password))"
    }

    /// Go's `url.QueryEscape`: unreserved characters stay, space becomes `+`, the rest `%XX`.
    static func formEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// The original's `joinURL`: `path` joined to the base URL's path, an optional `?q=<filter>`.
    static func join(_ base: String, _ path: String, filter: String? = nil) throws -> String {
        guard var components = URLComponents(string: base), components.scheme != nil, components.host != nil else {
            throw AlertRequestError(description: "not a URL: \(base.isEmpty ? "(empty)" : base)")
        }
        let joined = (components.path.split(separator: "/") + path.split(separator: "/")).joined(separator: "/")
        components.path = "/" + joined
        if let filter { components.percentEncodedQuery = "q=" + formEncoded(filter) }
        guard let url = components.string else { throw AlertRequestError(description: "not a URL: \(base)") }
        return url
    }

    // MARK: Messages

    private struct Info: Decodable {
        var tokenEndpoint: String?
        enum CodingKeys: String, CodingKey { case tokenEndpoint = "token_endpoint" }
    }

    private struct Token: Decodable {
        var accessToken: String?
        enum CodingKeys: String, CodingKey { case accessToken = "access_token" }
    }

    private struct Resources: Decodable {
        var totalResults: Int?
        var resources: [Resource]?
        enum CodingKeys: String, CodingKey { case totalResults = "total_results", resources }
        struct Resource: Decodable { var metadata: Metadata }
        struct Metadata: Decodable { var guid: String }
    }

    struct Notification: Encodable {
        var kindID: String
        var subject: String
        var text: String
        var replyTo: String?
        enum CodingKeys: String, CodingKey { case kindID = "kind_id", subject, text, replyTo = "reply_to" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kindID, forKey: .kindID)
            try c.encode(subject, forKey: .subject)
            try c.encode(text, forKey: .text)
            if let replyTo, !replyTo.isEmpty { try c.encode(replyTo, forKey: .replyTo) }
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
