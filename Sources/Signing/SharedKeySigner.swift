import Foundation

/// Azure Storage SharedKey authorization: the string-to-sign of Microsoft's REST reference
/// ("Authorize with Shared Key", service versions 2015-02-21 and later), signed with HMAC-SHA256
/// under the base64-decoded account key.
///
/// A pure function of the request: it never sends anything and never shows the key.
public struct SharedKeySigner: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let account: String
    private let key: [UInt8]

    public var description: String { "SharedKeySigner(account: \(account), key: <redacted>)" }
    public var debugDescription: String { description }

    public init(account: String, key: [UInt8]) {
        self.account = account
        self.key = key
    }

    /// `base64Key` is the account key as the portal shows it. The error names neither key nor its text.
    public init(account: String, base64Key: String) throws(SharedKeyError) {
        let trimmed = base64Key.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, let bytes = Data(base64Encoded: trimmed) else {
            throw .keyNotBase64
        }
        self.init(account: account, key: Array(bytes))
    }

    /// The standard headers of the string-to-sign, in its order.
    static let standardHeaders = [
        "content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
        "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
    ]

    /// The text that gets signed for a request.
    ///
    /// - Parameters:
    ///   - url: the absolute URL exactly as sent (path and query percent-encoded).
    ///   - headers: every header sent except `Content-Length` and `Authorization`.
    ///   - contentLength: the body length; 0 signs as an empty line.
    public func stringToSign(method: String, url: String, headers: [(name: String, value: String)], contentLength: Int64) -> String {
        var byName: [String: String] = [:]
        for header in headers {
            byName[header.name.lowercased()] = header.value
        }
        byName["content-length"] = contentLength == 0 ? nil : String(contentLength)

        var lines = [method.uppercased()]
        for name in Self.standardHeaders {
            lines.append(byName[name] ?? "")
        }
        var text = lines.joined(separator: "\n") + "\n"
        text += Self.canonicalizedHeaders(headers)
        text += canonicalizedResource(url: url)
        return text
    }

    /// The `Authorization` header value: `SharedKey <account>:<signature>`.
    public func authorization(method: String, url: String, headers: [(name: String, value: String)], contentLength: Int64) -> String {
        let text = stringToSign(method: method, url: url, headers: headers, contentLength: contentLength)
        let signature = Data(Digest.hmacSHA256(key: key, Array(text.utf8))).base64EncodedString()
        return "SharedKey \(account):\(signature)"
    }

    /// `x-ms-*` headers, names lowercased, sorted the way the service sorts them, values unfolded and trimmed,
    /// one `name:value\n` each.
    static func canonicalizedHeaders(_ headers: [(name: String, value: String)]) -> String {
        var byName: [String: String] = [:]
        for header in headers {
            let name = header.name.lowercased().trimmingCharacters(in: .whitespaces)
            guard name.hasPrefix("x-ms-") else { continue }
            byName[name] = foldWhitespace(header.value)
        }
        let names = byName.keys.sorted { ServiceCollation.compare($0, $1) < 0 }
        return names.map { "\($0):\(byName[$0]!)\n" }.joined()
    }

    /// `/<account><encoded path>` then, per query parameter (name lowercased, sorted), `\nname:v1,v2` with
    /// values percent-decoded and sorted. A path-style URL (`…/devstoreaccount1/c/b`) keeps the account in its path.
    func canonicalizedResource(url: String) -> String {
        let (path, query) = Self.splitURL(url)
        var text = "/" + account + path
        var parameters: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = (String(parts[0]).removingPercentEncoding ?? String(parts[0])).lowercased()
            let raw = parts.count > 1 ? String(parts[1]) : ""
            parameters[name, default: []].append(raw.removingPercentEncoding ?? raw)
        }
        for name in parameters.keys.sorted() {
            text += "\n\(name):" + parameters[name]!.sorted().joined(separator: ",")
        }
        return text
    }

    /// The encoded path (starting with `/`, or empty) and the raw query of an absolute URL, fragment dropped.
    static func splitURL(_ url: String) -> (path: Substring, query: Substring) {
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(where: { $0 == "/" || $0 == "?" }).map { rest[$0...] } ?? ""
        }
        guard let mark = rest.firstIndex(of: "?") else { return (rest, "") }
        return (rest[..<mark], rest[rest.index(after: mark)...])
    }

    /// Runs of spaces and tabs become one space; leading and trailing ones go.
    static func foldWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
    }
}

public enum SharedKeyError: Error, Equatable, CustomStringConvertible, Sendable {
    case keyNotBase64

    public var description: String {
        switch self {
        case .keyNotBase64: "the storage access key is not valid base64"
        }
    }
}
