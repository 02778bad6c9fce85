import Foundation

/// Where a destination's bytes live: a bucket, a container, a folder on an SSH server or on this machine.
///
/// Keys are `/`-separated paths relative to the destination's base path (no leading slash). Every store
/// makes an object visible only once it is whole: a reader never sees half an object under its key.
/// Blocking I/O never runs on the Swift concurrency pool; every call honours task cancellation.
/// Errors are `StoreError`s whose text names no secret.
///
/// Behaviour around the store (the concurrency window, whole-object retry, counting) is added by the
/// wrappers in this module, composed in one place (`DestinationConfiguration.makeDestination()` in Stores),
/// never inside a store.
public protocol ObjectStore: Sendable {
    /// The manifest's type name: `s3`, `azure`, `scp`, `local`; `memory` in tests.
    var kind: String { get }

    /// Where the objects below `folder` (a key prefix) live, for operators' logs: `S3 remote path bucket/base/2026/01/02`.
    func location(of folder: String) -> String

    /// Makes the store ready to be written: finds the bucket's region, creates a missing bucket or container,
    /// checks the server's host key. Called once before a run's first put.
    func prepare(observer: TransferObserver) async throws

    /// Stores the bytes of `source` at `key`, replacing what was there; the object appears only once complete.
    /// Returns the size and SHA-256 of the bytes read from `source` as they were sent, so no file is read
    /// twice to learn its hash.
    func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest

    /// The object at `key`, or nil when there is none.
    func stat(_ key: String) async throws -> ObjectInfo?

    /// Every object whose key starts with `prefix` (a folder, `2026/01/02/`, or "" for all), in no set order.
    func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error>

    /// Streams the object at `key` into the file at `localPath` (created or truncated), never holding it
    /// in memory; returns the size and SHA-256 of the bytes written. Throws `.notFound` when there is none.
    func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest

    /// Removes the objects; keys that do not exist are not an error.
    func delete(_ keys: [String]) async throws

    /// Removes what an interrupted write of this tool left behind before `cutoff` (S3 multipart uploads,
    /// temporary files) and returns how many it removed.
    func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int

    /// What an operator checking the manifest should know beyond its settings (an unpinned server's host
    /// key, say). May contact the store; never fails.
    func validationNotes() async -> [String]

    /// The server's clock, from the `Date` header of an answer to a request of its own (whatever its status),
    /// for `check` to measure skew that breaks request signing; nil for stores without one (scp, local).
    func serverClock() async throws -> Date?

    /// What `check` reports of the server's identity beyond the credentials: an SSH host key against its pin,
    /// say. May contact the server; never fails. Empty when there is nothing to tell.
    func identityFindings() async -> [StoreFinding]

    /// Closes the connections kept between operations, telling the server (an SSH disconnect), at the end of a
    /// run: a command that exits next, or a daemon about to sleep, leaves none behind. The next operation opens
    /// them again. Never fails.
    func closeConnections() async
}

extension ObjectStore {
    public func validationNotes() async -> [String] { [] }

    public func serverClock() async throws -> Date? { nil }

    public func identityFindings() async -> [StoreFinding] { [] }

    public func closeConnections() async {}

    /// The default for stores that write under temporary names: list them and remove the old ones.
    public func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int {
        var stale: [String] = []
        for try await object in list(prefix: "") where TemporaryName.isTemporary(object.key) {
            if let modified = object.modified, modified < cutoff { stale.append(object.key) }
        }
        if !stale.isEmpty { try await delete(stale) }
        return stale.count
    }
}
