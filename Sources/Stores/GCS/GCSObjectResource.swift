import Foundation
import Storage

/// The fields of an object resource (and of a listing page) the store reads. Sizes come as decimal strings.
struct GCSObjectResource: Decodable, Sendable {
    let name: String
    let size: String?
    let updated: String?
    /// Base64 of the object's CRC-32C, four bytes, most significant first.
    let crc32c: String?

    var length: Int64 { size.flatMap { Int64($0) } ?? 0 }

    var modified: Date? { updated.flatMap(Self.parseTime) }

    func info(key: String) -> ObjectInfo { ObjectInfo(key: key, size: length, modified: modified) }

    static func decode(_ body: [UInt8], operation: String) throws -> GCSObjectResource {
        do {
            return try JSONDecoder().decode(GCSObjectResource.self, from: Data(body))
        } catch {
            throw StoreError(.permanent, "gcs: \(operation) answered what is not an object resource")
        }
    }

    /// RFC 3339 with or without fractional seconds.
    static func parseTime(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}

/// One page of `objects.list`.
struct GCSListPage: Decodable, Sendable {
    let items: [GCSObjectResource]?
    let nextPageToken: String?

    static func decode(_ body: [UInt8], operation: String) throws -> GCSListPage {
        do {
            return try JSONDecoder().decode(GCSListPage.self, from: Data(body))
        } catch {
            throw StoreError(.permanent, "gcs: \(operation) answered what is not an object listing")
        }
    }
}
