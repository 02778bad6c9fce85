import Foundation
import Storage
import Synchronization
import Transport

/// One file's way to an object: a resumable upload session, then the file in chunks, each request carrying
/// the next bytes after what the server has committed. A failed request is followed by a status query
/// (`Content-Range: bytes */N`) and the upload goes on from the server's committed offset, never from the
/// start. The last request carries the file's CRC-32C (`X-Goog-Hash`, a small fraction of an MD5's cost per
/// byte), for the service to check, and the object the service reports is checked against it too. A file that cannot be uploaded has its session cancelled (DELETE). The object
/// appears only when its last byte is committed. The whole upload holds one permit of the window.
struct GCSResumableUpload: Sendable {
    let client: GCSClient
    let chunkSize: Int64

    private enum Step: Sendable {
        case committed(Int64)
        case finished(GCSObjectResource)
    }

    func put(_ name: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        try await client.window.withPermit {
            let session = try await start(name, size: source.length, observer: observer)
            let digests = Task { try await Self.digests(of: source) }
            do {
                let object = try await withTaskCancellationHandler {
                    try await upload(name, session: session, from: source, digests: digests, observer: observer)
                } onCancel: {
                    digests.cancel()
                }
                let (crc32c, sha256) = try await digests.value
                let confirmed = try await check(object, name: name, crc32c: crc32c, size: source.length)
                observer.completed(bytes: source.length)
                return ContentDigest(size: source.length, sha256: sha256, sizeConfirmed: confirmed)
            } catch {
                digests.cancel()
                // Not the caller's task: a cancelled upload is cancelled on the server too.
                await Task { await cancel(session) }.value
                throw error
            }
        }
    }

    /// The file's CRC-32C (what the service checks the object against) and SHA-256 (what the run records), from
    /// one read of the range as a single block, beside the upload.
    private static func digests(of source: FileRange) async throws -> (crc32c: [UInt8], sha256: [UInt8]) {
        var crc32c: [UInt8] = []
        var sha256: [UInt8] = []
        let events = BlockDigests.read(
            path: source.path, file: source.file, offset: source.offset, length: source.length,
            blockSize: max(1, source.length), algorithm: .crc32c)
        for try await event in events {
            switch event {
            case .block(_, let digest): crc32c = digest
            case .whole(let digest): sha256 = digest
            }
        }
        guard !sha256.isEmpty else { throw CancellationError() }
        return (crc32c, sha256)
    }

    /// Starts the session; its URI is where the bytes go.
    private func start(_ name: String, size: Int64, observer: TransferObserver) async throws -> String {
        let operation = "start upload of \(name)"
        let metadata = try JSONSerialization.data(withJSONObject: ["name": name])
        let response = try await client.send(
            operation, method: "POST", url: client.endpoint.resumableUploadURL(name),
            headers: [
                HTTPHeader("Content-Type", "application/json; charset=UTF-8"),
                HTTPHeader("X-Upload-Content-Type", "application/octet-stream"),
                HTTPHeader("X-Upload-Content-Length", String(size)),
            ],
            body: .bytes(Array(metadata)), expecting: [200, 201],
            permission: "the storage.objects.create permission on bucket \(client.bucket)", observer: observer)
        guard let location = response.header("location"), !location.isEmpty else {
            throw StoreError(.permanent, "gcs: \(operation) answered without a session URI (Location)")
        }
        return location
    }

    private func upload(
        _ name: String, session: String, from source: FileRange, digests: Task<(crc32c: [UInt8], sha256: [UInt8]), any Error>,
        observer: TransferObserver
    ) async throws -> GCSObjectResource {
        let plan = GCSChunkPlan(total: source.length, chunkSize: chunkSize)
        let permission = "the storage.objects.create permission on bucket \(client.bucket)"
        // What the server has committed, as last learned; nil after a failed request, until a status query says.
        let known = Mutex<Int64?>(0)
        while true {
            let operation = "upload of \(name)"
            let step: Step = try await client.retry.run(onRetry: observer.onRetry(operation)) {
                let committed: Int64
                if let offset = known.withLock({ $0 }) {
                    committed = offset
                } else {
                    switch try await query(session, plan: plan, operation: operation, permission: permission) {
                    case .finished(let object): return .finished(object)
                    case .committed(let offset): committed = offset
                    }
                }
                known.withLock { $0 = committed }
                let chunk = plan.chunk(from: committed)
                var headers = [HTTPHeader("Content-Range", plan.contentRange(chunk))]
                if plan.isLast(chunk) {
                    // The last request makes the object visible: never of a file that changed while it was read.
                    try source.checkUnchanged()
                    let crc32c = try await digests.value.crc32c
                    headers.append(HTTPHeader("X-Goog-Hash", "crc32c=\(Data(crc32c).base64EncodedString())"))
                }
                let body = source.body(offset: chunk.lowerBound, length: Int64(chunk.count))
                do {
                    let step = try await send(session, headers: headers, body: body, operation: operation, permission: permission)
                    if case .committed(let offset) = step { known.withLock { $0 = offset } }
                    return step
                } catch {
                    known.withLock { $0 = nil }
                    throw error
                }
            }
            if case .finished(let object) = step { return object }
        }
    }

    /// Asks the server how much of the object it has (or whether it has it all).
    private func query(_ session: String, plan: GCSChunkPlan, operation: String, permission: String) async throws -> Step {
        try await send(session, headers: [HTTPHeader("Content-Range", plan.statusQueryRange)], body: .empty,
                       operation: "\(operation) (status query)", permission: permission)
    }

    /// One request to the session: 308 with what is committed, or 200/201 with the finished object.
    private func send(_ session: String, headers: [HTTPHeader], body: HTTPBody, operation: String, permission: String) async throws -> Step {
        let response = try await client.authorized(operation, permission: permission) { token in
            let request = HTTPRequest(method: "PUT", url: session, headers: headers + [GCSClient.bearer(token)], body: body)
            let response = try await client.http.send(request)
            return (response, response)
        }
        switch response.status {
        case 308:
            guard let committed = GCSChunkPlan.committed(rangeHeader: response.header("range")) else {
                throw StoreError(.permanent, "gcs: \(operation) answered with a Range header that is not bytes=0-N")
            }
            return .committed(committed)
        case 200, 201:
            return .finished(try GCSObjectResource.decode(response.body, operation: operation))
        default:
            throw GCSServiceError(operation: operation, response: response, permission: permission, account: client.account)
        }
    }

    /// The object the service made must hold the file's bytes: its CRC-32C is compared with the file's; a
    /// mismatched object (the file changed while it was read) is removed. True when the answer proves the object
    /// whole (its CRC-32C and size match), so the run needs no further request to learn its size.
    private func check(_ object: GCSObjectResource, name: String, crc32c: [UInt8], size: Int64) async throws -> Bool {
        let expected = Data(crc32c).base64EncodedString()
        guard let reported = object.crc32c else { return false }
        guard reported == expected else {
            try? await client.delete(name)
            throw StoreError(.transient, "gcs: upload of \(name): the object's CRC-32C \(reported) differs from the file's "
                + "\(expected) (did the file change while it was uploaded?); the object was removed")
        }
        return object.size != nil && object.length == size
    }

    /// Cancels the session on the server, best effort: the service answers 499.
    private func cancel(_ session: String) async {
        guard let token = try? await client.tokens.token() else { return }
        _ = try? await client.http.send(HTTPRequest(method: "DELETE", url: session, headers: [GCSClient.bearer(token)]))
    }
}
