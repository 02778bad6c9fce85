import Signing

/// The URLs of the JSON API at a base URL (`https://storage.googleapis.com`): metadata requests under
/// `/storage/v1/`, uploads under `/upload/storage/v1/`. Names are percent-encoded whole, `/` included.
struct GCSEndpoint: Sendable, Equatable {
    /// The base URL, no trailing slash.
    let base: String
    let bucket: String

    init(base: String, bucket: String) {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.bucket = bucket
    }

    var bucketURL: String { "\(base)/storage/v1/b/\(Self.encode(bucket))" }

    func createBucketURL(project: String) -> String { "\(base)/storage/v1/b?project=\(Self.encode(project))" }

    func objectURL(_ name: String, query: String? = nil) -> String {
        let url = "\(bucketURL)/o/\(Self.encode(name))"
        return query.map { "\(url)?\($0)" } ?? url
    }

    func listURL(prefix: String, pageToken: String?) -> String {
        var url = "\(bucketURL)/o?prefix=\(Self.encode(prefix))"
        if let pageToken { url += "&pageToken=\(Self.encode(pageToken))" }
        return url
    }

    func resumableUploadURL(_ name: String) -> String {
        "\(base)/upload/storage/v1/b/\(Self.encode(bucket))/o?uploadType=resumable&name=\(Self.encode(name))"
    }

    static func encode(_ text: String) -> String { PercentEncoding.encodeComponent(text) }
}
