import Foundation
import Manifest
import Storage
import Testing
@testable import Stores

@Suite struct GCSChunkPlanning {
    let kib: Int64 = 1 << 10

    @Test func chunksFollowTheCommittedOffset() {
        let plan = GCSChunkPlan(total: 600 * kib, chunkSize: 256 * kib)
        #expect(plan.chunk(from: 0) == 0..<(256 * kib))
        #expect(plan.contentRange(plan.chunk(from: 0)) == "bytes 0-262143/*")
        #expect(plan.chunk(from: 512 * kib) == (512 * kib)..<(600 * kib))
        #expect(plan.isLast(plan.chunk(from: 512 * kib)))
        #expect(plan.contentRange(plan.chunk(from: 512 * kib)) == "bytes 524288-614399/614400")
        // The server kept part of a chunk: the next request starts where it stopped, still a full chunk long.
        #expect(plan.chunk(from: 300 * kib) == (300 * kib)..<(556 * kib))
        #expect(!plan.isLast(plan.chunk(from: 300 * kib)))
    }

    @Test func emptyObjectsAndCommittedEndsFinishWithNoBytes() {
        let empty = GCSChunkPlan(total: 0, chunkSize: 256 * kib)
        #expect(empty.chunk(from: 0).isEmpty && empty.isLast(empty.chunk(from: 0)))
        #expect(empty.contentRange(empty.chunk(from: 0)) == "bytes */0")
        let done = GCSChunkPlan(total: 1000, chunkSize: 256 * kib)
        #expect(done.contentRange(done.chunk(from: 1000)) == "bytes */1000")
        #expect(done.statusQueryRange == "bytes */1000")
    }

    @Test func committedBytesFromTheRangeHeader() {
        #expect(GCSChunkPlan.committed(rangeHeader: nil) == 0)
        #expect(GCSChunkPlan.committed(rangeHeader: "bytes=0-262143") == 262_144)
        #expect(GCSChunkPlan.committed(rangeHeader: "bytes=5-9") == nil)
        #expect(GCSChunkPlan.committed(rangeHeader: "garbage") == nil)
    }
}

@Suite struct GCSSettingsChecks {
    static let keyFile = #"{"type": "service_account", "client_email": "b@p.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\nsecret-material\n-----END PRIVATE KEY-----\n", "token_uri": "https://oauth2.googleapis.com/token"}"#

    func store(json: String = keyFile, bucket: String = "backups", chunkSize: Int64? = nil) throws -> GCSStore {
        try GCSStore(
            settings: GCSSettings(serviceAccountJSON: Secret(json), projectID: "p", bucketName: bucket, chunkSize: chunkSize),
            window: ConcurrencyWindow(permits: 1))
    }

    func refusal(_ make: () throws -> GCSStore) -> String {
        do {
            _ = try make()
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func aValidKeyFileMakesAStore() throws {
        let store = try store()
        #expect(store.kind == "gcs")
        #expect(store.location(of: "redis/2026/01/02") == "GCS remote path backups/redis/2026/01/02")
    }

    @Test func keyFileErrorsNameTheFieldNotTheText() {
        let notJSON = refusal { try store(json: "secret-material") }
        #expect(notJSON == "gcs: service_account_json is not the JSON text of a service account key file")
        let noEmail = refusal { try store(json: #"{"private_key": "secret-material"}"#) }
        #expect(noEmail == "gcs: service_account_json has no client_email")
        let noPEM = refusal { try store(json: #"{"client_email": "a@b", "private_key": "secret-material"}"#) }
        #expect(noPEM == "gcs: service_account_json: private_key is not a PEM private key")
        let user = refusal { try store(json: #"{"type": "authorized_user"}"#) }
        #expect(user.contains("authorized_user"))
    }

    @Test func bucketNamesAndChunkSizesAreChecked() {
        #expect(refusal { try store(bucket: "Backups") }.contains("bucket_name Backups is not a valid bucket name"))
        #expect(refusal { try store(bucket: "ab") }.contains("not a valid bucket name"))
        #expect(refusal { try store(bucket: "my_bucket.example.com") }.isEmpty)
        #expect(refusal { try store(chunkSize: 300 << 10) }.contains("chunk_size 307200 must be a multiple of 256KiB"))
    }

    @Test func objectNamesAreEncodedWhole() {
        let endpoint = GCSEndpoint(base: "http://127.0.0.1:4443/", bucket: "b")
        #expect(endpoint.objectURL("2026/01/02/a b+ü.txt") == "http://127.0.0.1:4443/storage/v1/b/b/o/2026%2F01%2F02%2Fa%20b%2B%C3%BC.txt")
        #expect(endpoint.resumableUploadURL("x/y") == "http://127.0.0.1:4443/upload/storage/v1/b/b/o?uploadType=resumable&name=x%2Fy")
        #expect(endpoint.listURL(prefix: "a/", pageToken: "t=") == "http://127.0.0.1:4443/storage/v1/b/b/o?prefix=a%2F&pageToken=t%3D")
    }
}
