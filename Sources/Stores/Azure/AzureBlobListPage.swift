import Foundation

/// One page of a List Blobs answer (`<EnumerationResults>`): each blob's name, length and time, and the
/// marker of the next page. Names come back XML-escaped; a name holding characters XML cannot carry comes
/// percent-encoded in `<Name Encoded="true">`.
struct AzureBlobListPage: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var name: String
        var size: Int64
        var modified: Date?
    }

    var blobs: [Entry]
    /// nil on the last page (`<NextMarker />`).
    var nextMarker: String?

    init(blobs: [Entry], nextMarker: String?) {
        self.blobs = blobs
        self.nextMarker = nextMarker
    }

    /// Reads `document`; throws a text naming what is missing when it is not a listing.
    init(xml document: String) throws(AzureListingError) {
        guard document.contains("<EnumerationResults") else { throw AzureListingError("the answer is not a blob listing") }
        var blobs: [Entry] = []
        for element in XMLText.elements("Blob", in: document) {
            guard let name = Self.name(in: element) else { throw AzureListingError("a listed blob has no name") }
            guard let size = XMLText.first("Content-Length", in: element).flatMap({ Int64($0) }) else {
                throw AzureListingError("listed blob \(name) has no Content-Length")
            }
            let modified = XMLText.first("Last-Modified", in: element).flatMap(HTTPDate.parse)
            blobs.append(Entry(name: name, size: size, modified: modified))
        }
        self.blobs = blobs
        self.nextMarker = XMLText.first("NextMarker", in: document).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `<Name>` (XML-escaped) or `<Name Encoded="true">` (percent-encoded).
    private static func name(in element: String) -> String? {
        guard let start = element.range(of: "<Name"), let tagEnd = element.range(of: ">", range: start.upperBound..<element.endIndex),
              let close = element.range(of: "</Name>", range: tagEnd.upperBound..<element.endIndex) else { return nil }
        let attributes = element[start.upperBound..<tagEnd.lowerBound]
        guard attributes.isEmpty || attributes.first == " " else { return nil }
        let text = XMLText.unescape(String(element[tagEnd.upperBound..<close.lowerBound]))
        return attributes.contains(#"Encoded="true""#) ? text.removingPercentEncoding : text
    }
}

/// A List Blobs answer that cannot be read.
struct AzureListingError: Error, CustomStringConvertible, Sendable {
    var description: String
    init(_ description: String) { self.description = description }
}
