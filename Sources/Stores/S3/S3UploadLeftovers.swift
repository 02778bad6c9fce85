import Foundation
import Synchronization
import Transport

/// Finds and aborts the multipart uploads of one key that one put may have created without learning their ids.
///
/// CreateMultipartUpload is not idempotent: an attempt whose answer was lost (a reset, a cut-off answer, a stall,
/// or the run cancelled while it was on its way) may have created an upload the retry then duplicates. Its id is
/// known only to the server, so after such a create the put lists the uploads of its exact key and aborts every
/// one but the upload it completed. Upload times are not used to tell them apart: servers' clocks differ from
/// ours, and S3-compatible servers report them loosely. Another unfinished upload of the same key can only be an
/// interrupted earlier write of this tool (the run lock keeps a second run of the manifest away, and no two
/// destinations of one run write the same bucket key), which the stale-upload sweep would remove anyway.
/// Whatever this misses (a crash in between) the stale-upload sweep of a later run removes.
final class S3UploadLeftovers: Sendable {
    let upload: S3Upload
    private let retried = Atomic<Bool>(false)

    init(upload: S3Upload) {
        self.upload = upload
    }

    /// Told by the create's retry loop before each further attempt.
    func noteRetry() { retried.store(true, ordering: .relaxed) }

    var createWasRetried: Bool { retried.load(ordering: .relaxed) }

    /// Whether a create that threw `error` may still have left an upload on the server: an earlier attempt was
    /// retried, or the last one got no S3 answer at all.
    func mayHaveCreated(_ error: any Error) -> Bool {
        createWasRetried || !(error is S3Error)
    }

    /// Aborts every unfinished upload of the key but `keeping`, in a task the run's cancellation does not reach;
    /// a failure is logged, and the stale-upload sweep comes later.
    func abortAll(keeping kept: String?) async {
        let upload = upload
        let attempt = Task {
            for id in try await Self.uploadIDs(of: upload) where id != kept {
                await upload.abort(uploadID: id)
            }
        }
        if case .failure(let error) = await attempt.result {
            upload.observer.logger.error("s3 multipart uploads of a retried start could not be listed", metadata: [
                "key": .string(upload.key), "error": .string("\(error)"),
            ])
        }
    }

    private static func uploadIDs(of upload: S3Upload) async throws -> [String] {
        let client = upload.cleanupClient
        var ids: [String] = []
        var markers: (keyMarker: String, uploadIDMarker: String)?
        repeat {
            var query: [SigV4Query] = [.init("uploads"), .init("prefix", upload.key), .init("encoding-type", "url")]
            if let markers {
                query += [.init("key-marker", markers.keyMarker), .init("upload-id-marker", markers.uploadIDMarker)]
            }
            let name = "listing of multipart uploads of \(upload.key)"
            let response = try await client.send(.init(name: name, method: "GET", key: nil, query: query), observer: upload.observer)
            guard let page = S3Listing.uploadPage(response.bodyText) else {
                throw TransportError.cutOff("S3 \(name)", missing: "listing")
            }
            ids += page.uploads.filter { $0.key == upload.key }.map(\.uploadID)
            markers = page.next
        } while markers != nil
        return ids
    }
}
