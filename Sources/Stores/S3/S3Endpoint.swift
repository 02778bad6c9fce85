import Storage

/// Where a bucket's requests go: scheme, host, port, and whether the bucket is in the host name
/// (virtual-hosted, AWS's default) or the first path segment (path-style, the default for `endpoint_url`).
struct S3Endpoint: Sendable, Equatable {
    var scheme: String
    var host: String
    var port: Int?
    /// A path prefix of the endpoint URL (`https://gateway/s3`), without a trailing slash.
    var basePath: String
    var pathStyle: Bool
    /// True for AWS's own endpoints, whose host names carry the region.
    var isAWS: Bool

    /// The `Host` header: the port only when it is not the scheme's default.
    var hostHeader: String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// The endpoint for `bucket` in `region` (`endpoint_url` wins over AWS's names).
    static func make(endpointURL: String?, bucket: String, region: String, pathStyle: Bool?) throws -> S3Endpoint {
        if let endpointURL, !endpointURL.isEmpty, !isAWSEndpoint(endpointURL) {
            var endpoint = try parse(endpointURL)
            endpoint.pathStyle = pathStyle ?? true
            if !endpoint.pathStyle { endpoint.host = "\(bucket).\(endpoint.host)" }
            return endpoint
        }
        let regionalHost = region == "us-east-1" ? "s3.amazonaws.com" : "s3.\(region).amazonaws.com"
        // A bucket name with dots does not match the wildcard certificate as a host name label.
        let usePathStyle = pathStyle ?? bucket.contains(".")
        return S3Endpoint(
            scheme: "https", host: usePathStyle ? regionalHost : "\(bucket).\(regionalHost)", port: nil,
            basePath: "", pathStyle: usePathStyle, isAWS: true
        )
    }

    /// AWS's own S3 endpoint given as `endpoint_url` (the BOSH job renders `https://s3.amazonaws.com` by
    /// default): treated as no endpoint at all, so the bucket's region and virtual-hosted names apply.
    static func isAWSEndpoint(_ url: String) -> Bool {
        guard let endpoint = try? parse(url), endpoint.scheme == "https", endpoint.basePath.isEmpty,
              endpoint.port == nil || endpoint.port == 443 else { return false }
        let host = endpoint.host.lowercased()
        guard host.hasSuffix(".amazonaws.com") else { return false }
        let label = host.dropLast(".amazonaws.com".count)
        return label == "s3" || label.hasPrefix("s3.") || label.hasPrefix("s3-")
    }

    static func parse(_ url: String) throws -> S3Endpoint {
        guard let schemeEnd = url.range(of: "://") else {
            throw StoreError(.permanent, "s3 endpoint_url \(url) has no scheme (use https://host or http://host:port)")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw StoreError(.permanent, "s3 endpoint_url must start with http:// or https://")
        }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var basePath = String(rest.dropFirst(authority.count).prefix { $0 != "?" })
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var host = String(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw StoreError(.permanent, "s3 endpoint_url \(url) has an invalid port")
            }
            host = String(authority[..<colon])
            port = number
        }
        guard !host.isEmpty else { throw StoreError(.permanent, "s3 endpoint_url \(url) has no host") }
        return S3Endpoint(scheme: scheme, host: host, port: port, basePath: basePath, pathStyle: true, isAWS: false)
    }

    /// The decoded request path for `key` of `bucket` (or the bucket itself when `key` is nil).
    func path(bucket: String, key: String?) -> String {
        var path = basePath
        if pathStyle { path += "/" + bucket }
        if let key { path += "/" + key } else if !pathStyle { path += "/" }
        return path.isEmpty ? "/" : path
    }

    /// `scheme://host[:port]` followed by the already-encoded path and query.
    func url(encodedPath: String, encodedQuery: String) -> String {
        let authority = port.map { "\(host):\($0)" } ?? host
        return "\(scheme)://\(authority)\(encodedPath)" + (encodedQuery.isEmpty ? "" : "?" + encodedQuery)
    }
}
