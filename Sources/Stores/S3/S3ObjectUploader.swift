import Signing
import Transport
import Storage

/// Puts one file at one key: a single PUT up to the part size, a multipart upload above it. Parts are
/// read from the file as they are sent and several go at once (bounded by the shared limiter). A
/// multipart upload that fails or is cancelled is aborted, so no half-written object is left behind.
/// The object's size is checked with HEAD before the file counts as uploaded.
struct S3ObjectUploader: Sendable {
    let client: S3Client
    let limiter: ConcurrencyWindow
    let partSize: Int64
    let concurrency: Int
    /// Storage class and server-side encryption headers, sent when an object is created.
    let objectHeaders: [HTTPHeader]

    func upload(_ file: BackupFile, key: String) async throws {
        let plan = S3PartPlan(fileSize: file.size, preferredPartSize: partSize)
        if plan.isSinglePut {
            try await putObject(file, key: key)
        } else {
            try await multipartUpload(file, key: key, plan: plan)
        }
        try await verifySize(of: key, expected: file.size)
    }

    private func putObject(_ file: BackupFile, key: String) async throws {
        try await limiter.withPermit {
            let hash = Digest.hex(try await FileRangeDigest.of(path: file.localPath, offset: 0, length: file.size, algorithm: .sha256))
            _ = try await client.send(.init(
                name: "upload of \(key)", method: "PUT", key: key,
                headers: [HTTPHeader("Content-Type", "application/octet-stream")] + objectHeaders,
                body: file.size == 0 ? .empty : .file(path: file.localPath, offset: 0, length: file.size),
                payloadHash: hash
            ))
        }
    }

    private func multipartUpload(_ file: BackupFile, key: String, plan: S3PartPlan) async throws {
        let created = try await client.send(.init(
            name: "start of multipart upload of \(key)", method: "POST", key: key, query: [.init("uploads")],
            headers: [HTTPHeader("Content-Type", "application/octet-stream")] + objectHeaders
        ))
        guard let uploadID = XMLText.first("UploadId", in: created.bodyText), !uploadID.isEmpty else {
            throw DestinationError("S3 start of multipart upload of \(key) in bucket \(client.bucket) failed: the answer has no UploadId")
        }
        do {
            let etags = try await uploadParts(file, key: key, uploadID: uploadID, plan: plan)
            try await complete(key: key, uploadID: uploadID, etags: etags, expectedSize: file.size)
        } catch {
            await abort(key: key, uploadID: uploadID)
            throw error
        }
    }

    /// Uploads every part, at most `concurrency` of this file at once; returns the ETags in part order.
    private func uploadParts(_ file: BackupFile, key: String, uploadID: String, plan: S3PartPlan) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var etags = [String](repeating: "", count: plan.count)
            var next = 1
            func addPart() {
                let part = plan.part(next)
                next += 1
                group.addTask { (part.number, try await uploadPart(part, of: file, key: key, uploadID: uploadID, total: plan.count)) }
            }
            while next <= min(plan.count, concurrency) { addPart() }
            while let (number, etag) = try await group.next() {
                etags[number - 1] = etag
                if next <= plan.count { addPart() }
            }
            return etags
        }
    }

    private func uploadPart(_ part: S3PartPlan.Part, of file: BackupFile, key: String, uploadID: String, total: Int) async throws -> String {
        try await limiter.withPermit {
            let hash = Digest.hex(try await FileRangeDigest.of(path: file.localPath, offset: part.offset, length: part.length, algorithm: .sha256))
            let response = try await client.send(.init(
                name: "upload of part \(part.number) of \(total) of \(key)", method: "PUT", key: key,
                query: [.init("partNumber", String(part.number)), .init("uploadId", uploadID)],
                body: .file(path: file.localPath, offset: part.offset, length: part.length), payloadHash: hash
            ))
            guard let etag = response.header("etag"), !etag.isEmpty else {
                throw DestinationError("S3 upload of part \(part.number) of \(key) in bucket \(client.bucket) failed: the answer has no ETag")
            }
            return etag
        }
    }

    private func complete(key: String, uploadID: String, etags: [String], expectedSize: Int64) async throws {
        var document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            document += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(XMLText.escape(etag))</ETag></Part>"
        }
        document += "</CompleteMultipartUpload>"
        let body = Array(document.utf8)
        do {
            _ = try await client.send(.init(
                name: "completion of multipart upload of \(key)", method: "POST", key: key,
                query: [.init("uploadId", uploadID)], headers: [HTTPHeader("Content-Type", "application/xml")],
                body: .bytes(body), payloadHash: Digest.hex(Digest.sha256(body)), errorInSuccessBody: true
            ))
        } catch let error as S3Error where error.code == "NoSuchUpload" {
            // A retried completion whose first attempt succeeded but whose answer was lost: the object is there.
            guard (try? await objectSize(of: key)) == expectedSize else { throw error }
        }
    }

    /// Aborts the upload whatever happens to the calling task: a cancelled backup must not leave parts behind.
    private func abort(key: String, uploadID: String) async {
        // Briefly: a daemon that is stopping must not wait minutes on a server that is gone.
        var client = client
        client.retry = RetryPolicy(maxAttempts: 3, maxDelay: .seconds(2), maxTotal: .seconds(10))
        let attempt = Task {
            _ = try await client.send(.init(
                name: "abort of multipart upload of \(key)", method: "DELETE", key: key,
                query: [.init("uploadId", uploadID)], accepted: [404]
            ))
        }
        if case .failure(let error) = await attempt.result {
            client.logger.error("s3 multipart upload could not be aborted", metadata: [
                "key": .string(key), "error": .string("\(error)"),
            ])
        }
    }

    private func verifySize(of key: String, expected: Int64) async throws {
        let size = try await objectSize(of: key)
        guard size == expected else {
            throw DestinationError("S3 object \(key) in bucket \(client.bucket) has \(size.map(String.init) ?? "no") bytes after upload, expected \(expected)")
        }
    }

    private func objectSize(of key: String) async throws -> Int64? {
        let response = try await client.send(.init(name: "check of \(key)", method: "HEAD", key: key))
        return response.header("content-length").flatMap { Int64($0) }
    }
}
