import Foundation
import Signing

/// The documents of S3's listings (ListObjectsV2, ListMultipartUploads) and of DeleteObjects, read and
/// written without a full XML parser: each entry is one non-nested element whose few values are read by tag.
enum S3Listing {
    /// The most keys one DeleteObjects request may name.
    static let maxKeysPerDelete = 1000

    /// One page of ListObjectsV2.
    struct ObjectPage: Sendable, Equatable {
        struct Entry: Sendable, Equatable {
            var key: String
            var size: Int64
            var modified: Date?
        }

        var entries: [Entry]
        /// Where the next page starts; nil on the last page.
        var nextContinuationToken: String?
    }

    /// One page of ListMultipartUploads.
    struct UploadPage: Sendable, Equatable {
        struct Upload: Sendable, Equatable {
            var key: String
            var uploadID: String
            var initiated: Date?
        }

        var uploads: [Upload]
        /// The `key-marker` and `upload-id-marker` of the next page; nil on the last page.
        var next: (keyMarker: String, uploadIDMarker: String)?

        static func == (left: UploadPage, right: UploadPage) -> Bool {
            left.uploads == right.uploads && left.next?.keyMarker == right.next?.keyMarker
                && left.next?.uploadIDMarker == right.next?.uploadIDMarker
        }
    }

    /// A ListObjectsV2 answer, or nil when `document` is not one (or a page says it is truncated but not where
    /// the next one starts). Keys are decoded when the answer says `<EncodingType>url</EncodingType>`.
    static func objectPage(_ document: String) -> ObjectPage? {
        guard document.contains("<ListBucketResult") else { return nil }
        let decode = isURLEncoded(document)
        var entries: [ObjectPage.Entry] = []
        for element in XMLText.elements("Contents", in: document) {
            guard let rawKey = XMLText.first("Key", in: element), let key = decode ? urlDecoded(rawKey) : rawKey,
                  let size = XMLText.first("Size", in: element).flatMap({ Int64($0) }) else { return nil }
            entries.append(.init(key: key, size: size, modified: XMLText.first("LastModified", in: element).flatMap(isoDate)))
        }
        var next: String?
        if XMLText.first("IsTruncated", in: document) == "true" {
            guard let token = XMLText.first("NextContinuationToken", in: document), !token.isEmpty else { return nil }
            next = token
        }
        return ObjectPage(entries: entries, nextContinuationToken: next)
    }

    /// A ListMultipartUploads answer, or nil when `document` is not one.
    static func uploadPage(_ document: String) -> UploadPage? {
        guard document.contains("<ListMultipartUploadsResult") else { return nil }
        let decode = isURLEncoded(document)
        var uploads: [UploadPage.Upload] = []
        for element in XMLText.elements("Upload", in: document) {
            guard let rawKey = XMLText.first("Key", in: element), let key = decode ? urlDecoded(rawKey) : rawKey,
                  let uploadID = XMLText.first("UploadId", in: element), !uploadID.isEmpty else { return nil }
            uploads.append(.init(key: key, uploadID: uploadID, initiated: XMLText.first("Initiated", in: element).flatMap(isoDate)))
        }
        var next: (String, String)?
        if XMLText.first("IsTruncated", in: document) == "true" {
            guard var keyMarker = XMLText.first("NextKeyMarker", in: document), !keyMarker.isEmpty else { return nil }
            if decode { guard let decoded = urlDecoded(keyMarker) else { return nil }; keyMarker = decoded }
            next = (keyMarker, XMLText.first("NextUploadIdMarker", in: document) ?? "")
        }
        return UploadPage(uploads: uploads, next: next)
    }

    /// The body of a quiet DeleteObjects request for `keys`.
    static func deleteDocument(keys: [String]) -> String {
        var document = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        for key in keys { document += "<Object><Key>\(XMLText.escape(key))</Key></Object>" }
        return document + "</Delete>"
    }

    /// A key of an answer with `encoding-type=url`: percent-encoded, `+` for a space (AWS; moto writes `%20`).
    static func urlDecoded(_ text: String) -> String? {
        PercentEncoding.decode(text.replacingOccurrences(of: "+", with: " "))
    }

    private static func isURLEncoded(_ document: String) -> Bool {
        XMLText.first("EncodingType", in: document)?.lowercased() == "url"
    }

    /// `2026-01-02T03:04:05.000Z`, as listings write times.
    static func isoDate(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
