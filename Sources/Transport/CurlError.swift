import CCurl

/// Turns a libcurl result into the transport's error kinds. Messages name the server, never a query or a header.
enum CurlError {
    static func transportError(_ code: CURLcode, detail: String, url: String, connected: Bool) -> TransportError {
        let server = serverPart(of: url)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: TransportError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            kind = connected ? .stalled : .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            kind = .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_OUT_OF_MEMORY, CURLE_READ_ERROR,
             CURLE_BAD_FUNCTION_ARGUMENT, CURLE_NOT_BUILT_IN, CURLE_UNKNOWN_OPTION:
            kind = .local
        case CURLE_ABORTED_BY_CALLBACK:
            kind = .cancelled
        default:
            kind = .connection
        }
        return TransportError(kind, "request to \(server) failed: \(reason)")
    }

    /// `scheme://host[:port]` of a URL: enough to say where, nothing that could carry a credential.
    static func serverPart(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "the server" }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map(String.init) ?? String(authority)
        return String(url[..<schemeEnd.upperBound]) + host
    }
}
