import Signing
import Storage
import Transport

/// Finding a bucket's region and making sure the bucket exists.
enum S3Bucket {
    /// The bucket's region from `x-amz-bucket-region` on HeadBucket, or the region an error answer names;
    /// us-east-1 when the endpoint does not say (most S3-compatible stores).
    static func discoverRegion(using probe: S3Client, observer: TransferObserver?) async throws -> String {
        let head = try await probe.send(.init(
            name: "region lookup", method: "HEAD", key: nil, accepted: [301, 307, 400, 403, 404]
        ), observer: observer)
        if let region = head.header("x-amz-bucket-region"), !region.isEmpty { return region }
        guard head.status == 301 || head.status == 400 else { return "us-east-1" }
        // HEAD answers have no body: ask again with a GET, whose error document names the region.
        let located = try await probe.send(.init(
            name: "region lookup", method: "GET", key: nil, query: [.init("location")], accepted: [301, 307, 400, 403, 404]
        ), observer: observer)
        if let region = located.header("x-amz-bucket-region") ?? XMLText.first("Region", in: located.bodyText), !region.isEmpty {
            return region
        }
        if located.status == 200 {
            return bucketLocation(XMLText.first("LocationConstraint", in: located.bodyText) ?? "")
        }
        return "us-east-1"
    }

    /// GetBucketLocation's legacy answers: empty is us-east-1, `EU` is eu-west-1.
    static func bucketLocation(_ constraint: String) -> String {
        switch constraint {
        case "": "us-east-1"
        case "EU": "eu-west-1"
        default: constraint
        }
    }

    /// HeadBucket; a missing bucket is created in the client's region. A user that may write objects
    /// but not list the bucket (403 on HEAD) is let through, unless the answer is an authentication error.
    static func ensureExists(using client: S3Client, observer: TransferObserver) async throws {
        let head = try await client.send(
            .init(name: "bucket check", method: "HEAD", key: nil, accepted: [301, 400, 403, 404]), observer: observer)
        switch head.status {
        case 404:
            try await create(using: client, observer: observer)
        case 403:
            let listing = try await client.send(.init(
                name: "bucket check", method: "GET", key: nil,
                query: [.init("list-type", "2"), .init("max-keys", "0")], accepted: [403]
            ), observer: observer)
            guard listing.status == 403 else { return }
            let error = S3Error(response: listing, operation: "bucket check", bucket: client.bucket)
            if error.code == "AccessDenied" || error.code == nil { return }
            throw error
        case 400:
            // HEAD answers have no body: ask with a GET, whose error document says what is wrong (a region, a token).
            let listing = try await client.send(.init(
                name: "bucket check", method: "GET", key: nil,
                query: [.init("list-type", "2"), .init("max-keys", "0")], accepted: [301, 400, 403, 404]
            ), observer: observer)
            throw S3Error(response: listing.status == 200 ? head : listing,
                          operation: "bucket check in region \(client.region)", bucket: client.bucket)
        case 301:
            throw S3Error(response: head, operation: "bucket check in region \(client.region)", bucket: client.bucket)
        default:
            return
        }
    }

    static func create(using client: S3Client, observer: TransferObserver) async throws {
        var operation = S3Client.Operation(name: "bucket creation", method: "PUT", key: nil, accepted: [409])
        if client.region != "us-east-1" {
            let document = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(XMLText.escape(client.region))</LocationConstraint></CreateBucketConfiguration>"
            let body = Array(document.utf8)
            operation.body = .bytes(body)
            operation.payloadHash = Digest.hex(Digest.sha256(body))
            operation.headers = [HTTPHeader("Content-Type", "application/xml")]
        }
        do {
            let response = try await client.send(operation, observer: observer)
            if response.status == 409 {
                let error = S3Error(response: response, operation: "bucket creation", bucket: client.bucket)
                // Created meanwhile by this user (another run, another destination): fine.
                guard error.code == "BucketAlreadyOwnedByYou" else { throw error }
            }
        } catch let error as S3Error where error.code == "AccessDenied" || (error.status == 403 && error.code == nil) {
            observer.logger.error("Configured S3 user unable to create buckets", metadata: ["error": .string("\(error)")])
            throw error
        }
    }
}
