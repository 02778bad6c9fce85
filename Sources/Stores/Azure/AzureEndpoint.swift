import Signing

/// The URLs of a container and its blobs at a blob service base (`AzureSettings.blobServiceURL()`).
struct AzureEndpoint: Sendable, Equatable {
    /// The blob service base, no trailing slash.
    let base: String

    func containerURL(_ container: String, query: String) -> String {
        "\(base)/\(Self.encodePath(container))?\(query)"
    }

    func blobURL(_ container: String, _ blob: String, query: String? = nil) -> String {
        let url = "\(base)/\(Self.encodePath(container))/\(Self.encodePath(blob))"
        return query.map { "\(url)?\($0)" } ?? url
    }

    /// Percent-encodes everything but unreserved characters and `/`, as the official SDKs encode blob names.
    static func encodePath(_ text: String) -> String { PercentEncoding.encodePath(text) }

    /// Percent-encodes a query parameter value (base64 block ids carry `+`, `/` and `=`; prefixes and markers anything).
    static func encodeQueryValue(_ text: String) -> String { PercentEncoding.encodeComponent(text) }
}
