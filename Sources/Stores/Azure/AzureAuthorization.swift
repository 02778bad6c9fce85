import Foundation
import Signing
import Transport

/// How requests to the blob service prove they may be made: signed with the account key (SharedKey), or
/// carrying a shared access signature in their query. The SAS is a credential: it is only ever added to
/// the URL of a request being sent, never to a URL or text kept for errors or logs.
enum AzureAuthorization: Sendable {
    case sharedKey(SharedKeySigner)
    /// The SAS query (`sv=…&sig=…`), without a leading `?`.
    case sas(String)

    var usesSAS: Bool {
        if case .sas = self { true } else { false }
    }

    /// `request`, already dated, made acceptable to the service.
    func authorize(_ request: HTTPRequest) -> HTTPRequest {
        var authorized = request
        switch self {
        case .sharedKey(let signer):
            let authorization = signer.authorization(
                method: request.method, url: request.url, headers: request.headers.map { (name: $0.name, value: $0.value) },
                contentLength: request.body.length)
            authorized.headers.append(HTTPHeader("Authorization", authorization))
        case .sas(let query):
            authorized.url += (request.url.contains("?") ? "&" : "?") + query
        }
        return authorized
    }

    /// `text` without the SAS, whole or in its parts' values (the signature most of all), as written or
    /// percent-encoded: the last guard on error texts.
    func redacted(_ text: String) -> String {
        guard case .sas(let query) = self else { return text }
        var pieces = [query]
        for field in query.split(separator: "&") {
            let value = field.split(separator: "=", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            if value.count >= 8 { pieces += [value, PercentEncoding.decode(value) ?? value] }
        }
        var text = text
        for piece in pieces.sorted(by: { $0.count > $1.count }) where !piece.isEmpty {
            text = text.replacingOccurrences(of: piece, with: "<redacted>")
        }
        return text
    }
}
