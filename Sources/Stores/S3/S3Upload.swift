import Foundation
import Signing
import Storage
import Transport

/// Puts one file range at one key: a single PUT up to the part size, a multipart upload above it, each
/// request carrying the CRC-32C of its bytes (`x-amz-checksum-crc32c`) for the server to check, its payload
/// unsigned: the whole file's SHA-256 (for the run manifest) is then the only SHA-256 pass over its bytes. The file
/// is read once in sequence, yielding each part's CRC-32C in order and the whole file's SHA-256 at the end;
/// a part is uploaded as soon as its checksum is known, several at once, each holding a permit of the window.
/// A multipart upload that fails or is cancelled is aborted, so no half-written object is left behind.
struct S3Upload: Sendable {
    struct Part: Sendable {
        var number: Int
        var etag: String
        /// The part's CRC-32C, four bytes, most significant first.
        var crc32c: [UInt8]
    }

    let client: S3Client
    /// The S3 key, `bucket_path` included.
    let key: String
    let source: FileRange
    let partSize: Int64
    /// Storage class and server-side encryption headers, sent when an object is created.
    let objectHeaders: [HTTPHeader]
    let observer: TransferObserver

    func run() async throws -> ContentDigest {
        let plan = S3PartPlan(fileSize: source.length, preferredPartSize: partSize)
        return plan.isSinglePut ? try await putObject() : try await multipartUpload(plan)
    }

    /// The file as one block, checked by the server against its CRC-32C. A 2xx answer means S3 holds exactly
    /// these bytes, so the digest says the size is confirmed and the run needs no HEAD to learn it.
    private func putObject() async throws -> ContentDigest {
        let (client, key, source, objectHeaders, observer) = (client, key, source, objectHeaders, observer)
        let (_, sha256) = try await BlockDigests.forEachBlock(
            path: source.path, file: source.file, offset: source.offset, length: source.length, blockSize: max(1, source.length),
            algorithm: .crc32c, width: 1
        ) { _, crc32c in
            _ = try await client.send(.init(
                name: "upload of \(key)", method: "PUT", key: key,
                headers: [HTTPHeader("Content-Type", "application/octet-stream")] + Self.checksumHeaders(crc32c) + objectHeaders,
                body: source.body(),
                payloadHash: SigV4Signer.unsignedPayload, takesPermit: true
            ), observer: observer)
        }
        return ContentDigest(size: source.length, sha256: sha256, sizeConfirmed: true)
    }

    /// Every upload this creates is completed or aborted, whatever fails and even when the run is cancelled:
    /// parts are aborted by their upload's id; a CreateMultipartUpload whose answer never arrived (lost, cut,
    /// or the run cancelled meanwhile) may still have created one, which only a listing can find, so such
    /// uploads of this key are looked up and aborted too (`S3UploadLeftovers`).
    private func multipartUpload(_ plan: S3PartPlan) async throws -> ContentDigest {
        let leftovers = S3UploadLeftovers(upload: self)
        let uploadID: String
        do {
            uploadID = try await create(retried: leftovers)
        } catch {
            if leftovers.mayHaveCreated(error) { await leftovers.abortAll(keeping: nil) }
            throw error
        }
        do {
            let (parts, sha256) = try await uploadParts(plan, uploadID: uploadID)
            guard parts.count == plan.count else {
                throw StoreError(.permanent, "S3 upload of \(key): \(source.path) was not read to its end")
            }
            try source.checkUnchanged()
            try await complete(uploadID: uploadID, parts: parts)
            if leftovers.createWasRetried { await leftovers.abortAll(keeping: uploadID) }
            return ContentDigest(size: source.length, sha256: sha256, sizeConfirmed: true)
        } catch {
            await abort(uploadID: uploadID)
            if leftovers.createWasRetried { await leftovers.abortAll(keeping: uploadID) }
            throw error
        }
    }

    /// CreateMultipartUpload; `retried` hears of every attempt after the first.
    private func create(retried leftovers: S3UploadLeftovers) async throws -> String {
        let created = try await client.send(.init(
            name: "start of multipart upload of \(key)", method: "POST", key: key, query: [.init("uploads")],
            headers: [HTTPHeader("Content-Type", "application/octet-stream"), HTTPHeader("x-amz-checksum-algorithm", "CRC32C")]
                + objectHeaders,
            requiredElement: "UploadId"
        ), observer: observer, onRetry: { leftovers.noteRetry() })
        guard let uploadID = XMLText.first("UploadId", in: created.bodyText), !uploadID.isEmpty else {
            throw StoreError(.permanent, "S3 start of multipart upload of \(key) in bucket \(client.bucket) failed: the answer has no UploadId")
        }
        return uploadID
    }

    /// Checksums the parts in order and uploads each once its CRC-32C is known, at most the window's width of
    /// this file at once; returns them in part order, and the whole file's SHA-256 from the same read.
    private func uploadParts(_ plan: S3PartPlan, uploadID: String) async throws -> (parts: [Part], sha256: [UInt8]) {
        let upload = self
        let (parts, sha256) = try await BlockDigests.forEachBlock(
            path: source.path, file: source.file, offset: source.offset, length: source.length, blockSize: plan.partSize, algorithm: .crc32c,
            width: await client.window.capacity
        ) { index, crc32c in
            try await upload.uploadPart(plan.part(index + 1), crc32c: crc32c, of: plan.count, uploadID: uploadID)
        }
        return (parts, sha256)
    }

    private func uploadPart(_ part: S3PartPlan.Part, crc32c: [UInt8], of total: Int, uploadID: String) async throws -> Part {
        let response = try await client.send(.init(
            name: "upload of part \(part.number) of \(total) of \(key)", method: "PUT", key: key,
            query: [.init("partNumber", String(part.number)), .init("uploadId", uploadID)],
            headers: Self.checksumHeaders(crc32c),
            body: source.body(offset: part.offset, length: part.length),
            payloadHash: SigV4Signer.unsignedPayload, takesPermit: true, requiredHeaders: ["etag"]
        ), observer: observer)
        guard let etag = response.header("etag"), !etag.isEmpty else {
            throw StoreError(.permanent, "S3 upload of part \(part.number) of \(key) in bucket \(client.bucket) failed: the answer has no ETag")
        }
        return Part(number: part.number, etag: etag, crc32c: crc32c)
    }

    private func complete(uploadID: String, parts: [Part]) async throws {
        let body = Array(Self.completionDocument(parts).utf8)
        do {
            _ = try await client.send(.init(
                name: "completion of multipart upload of \(key)", method: "POST", key: key,
                query: [.init("uploadId", uploadID)], headers: [HTTPHeader("Content-Type", "application/xml")],
                body: .bytes(body), payloadHash: Digest.hex(Digest.sha256(body)), errorInSuccessBody: true
            ), observer: observer)
        } catch let error as S3Error where error.code == "NoSuchUpload" {
            // A retried completion whose first attempt succeeded but whose answer was lost: the object is there.
            guard (try? await objectSize()) == source.length else { throw error }
        }
    }

    /// The CompleteMultipartUpload document: each part's number, ETag and CRC-32C.
    static func completionDocument(_ parts: [Part]) -> String {
        var document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            document += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(XMLText.escape(part.etag))</ETag>"
                + "<ChecksumCRC32C>\(Data(part.crc32c).base64EncodedString())</ChecksumCRC32C></Part>"
        }
        return document + "</CompleteMultipartUpload>"
    }

    /// The headers that make S3 check a body against its CRC-32C (four bytes, most significant first).
    static func checksumHeaders(_ crc32c: [UInt8]) -> [HTTPHeader] {
        [HTTPHeader("x-amz-sdk-checksum-algorithm", "CRC32C"), HTTPHeader("x-amz-checksum-crc32c", Data(crc32c).base64EncodedString())]
    }

    /// The client for clean-up requests: retried briefly, since a daemon that is stopping must not wait minutes
    /// on a server that is gone.
    var cleanupClient: S3Client {
        var client = client
        client.retry = RetryPolicy(maxAttempts: 3, maxDelay: .seconds(2), maxTotal: .seconds(10))
        return client
    }

    /// Aborts the upload whatever happens to the calling task: a cancelled backup must not leave parts behind.
    /// The abort runs in a task of its own, which the run's cancellation does not reach.
    func abort(uploadID: String) async {
        let client = cleanupClient
        let key = key
        let observer = observer
        let attempt = Task {
            _ = try await client.send(.init(
                name: "abort of multipart upload of \(key)", method: "DELETE", key: key,
                query: [.init("uploadId", uploadID)], accepted: [404]
            ), observer: observer)
        }
        if case .failure(let error) = await attempt.result {
            observer.logger.error("s3 multipart upload could not be aborted", metadata: [
                "key": .string(key), "error": .string("\(error)"),
            ])
        }
    }

    private func objectSize() async throws -> Int64? {
        let response = try await client.send(
            .init(name: "check of \(key)", method: "HEAD", key: key, requiredHeaders: ["content-length"]), observer: observer)
        return response.header("content-length").flatMap { Int64($0) }
    }
}
