import Signing

/// Where the blob service of an account answers, and the URLs of its containers and blobs.
///
/// `endpoint` is what the original took, a storage domain suffix (`core.windows.net`,
/// `core.chinacloudapi.cn`, an Azure Stack domain) giving `https://<account>.blob.<suffix>`, or a full
/// URL (`http://127.0.0.1:10000/devstoreaccount1`, Azurite-style path addressing) used as the base as given.
struct AzureEndpoint: Sendable, Equatable {
    static let defaultSuffix = "core.windows.net"

    /// The blob service base, no trailing slash.
    let base: String

    init(account: String, endpoint: String?) throws(DestinationError) {
        let given = (endpoint ?? "").trimmingCharacters(in: .whitespaces)
        if given.contains("://") {
            guard given.hasPrefix("https://") || given.hasPrefix("http://") else {
                throw DestinationError("azure: endpoint \(given) must be an http:// or https:// URL or a domain suffix")
            }
            var base = Substring(given)
            while base.hasSuffix("/") { base = base.dropLast() }
            self.base = String(base)
        } else {
            var suffix = Substring(given.isEmpty ? Self.defaultSuffix : given)
            while suffix.hasPrefix(".") { suffix = suffix.dropFirst() }
            while suffix.hasSuffix("/") { suffix = suffix.dropLast() }
            guard !suffix.isEmpty, !suffix.contains("/"), !suffix.contains(" ") else {
                throw DestinationError("azure: endpoint \(given) is neither a domain suffix nor a URL")
            }
            self.base = "https://\(account).blob.\(suffix)"
        }
    }

    func containerURL(_ container: String, query: String) -> String {
        "\(base)/\(Self.encodePath(container))?\(query)"
    }

    func blobURL(_ container: String, _ blob: String, query: String? = nil) -> String {
        let url = "\(base)/\(Self.encodePath(container))/\(Self.encodePath(blob))"
        return query.map { "\(url)?\($0)" } ?? url
    }

    /// Percent-encodes everything but unreserved characters and `/`, as the official SDKs encode blob names.
    static func encodePath(_ text: String) -> String { PercentEncoding.encodePath(text) }

    /// Percent-encodes a query parameter value (base64 block ids carry `+`, `/` and `=`).
    static func encodeQueryValue(_ text: String) -> String { PercentEncoding.encodeComponent(text) }
}
