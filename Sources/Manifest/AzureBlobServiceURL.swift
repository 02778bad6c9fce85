import Foundation

/// The one rule for where an account's blob service answers, used by the azure store and by the summary.
///
/// `endpoint` is what the original took, a storage domain suffix (`core.windows.net`, `core.chinacloudapi.cn`,
/// `core.usgovcloudapi.net`, an Azure Stack domain) giving `https://<account>.blob.<suffix>`, or a full URL
/// (`http://127.0.0.1:10000/devstoreaccount1`, Azurite-style path addressing) used as the base as given.
extension AzureSettings {
    /// Why `endpoint` cannot be used; the text names the setting and its value (never a credential).
    public struct EndpointError: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    /// The blob service base URL, without a trailing slash.
    public func blobServiceURL() throws(EndpointError) -> String {
        let given = (endpoint ?? "").trimmingCharacters(in: .whitespaces)
        if given.contains("://") {
            guard given.hasPrefix("https://") || given.hasPrefix("http://") else {
                throw EndpointError(description: "endpoint \(given) must be an http:// or https:// URL or a domain suffix")
            }
            var base = Substring(given)
            while base.hasSuffix("/") { base = base.dropLast() }
            return String(base)
        }
        var suffix = Substring(given.isEmpty ? Self.defaultEndpointSuffix : given)
        while suffix.hasPrefix(".") { suffix = suffix.dropFirst() }
        while suffix.hasSuffix("/") { suffix = suffix.dropLast() }
        guard !suffix.isEmpty, !suffix.contains("/"), !suffix.contains(" ") else {
            throw EndpointError(description: "endpoint \(given) is neither a domain suffix nor a URL")
        }
        return "https://\(storageAccount.trimmingCharacters(in: .whitespaces)).blob.\(suffix)"
    }
}
