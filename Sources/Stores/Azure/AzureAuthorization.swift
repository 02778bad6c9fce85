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
}
