import Foundation
import Storage
import Synchronization
import Signing
import Transport

/// A store that keeps its objects in memory, for testing what sits above the store interface (runs, list,
/// verify, restore, retention). It can fail, stall and count on demand:
/// - `failNext(_:_:times:)` makes the next puts, gets, stats, lists or deletes throw an error of a given kind;
/// - `holdPuts()` makes puts wait until `releasePuts()`, so a test can stop a run mid-upload;
/// - `maxConcurrentPuts` says how many puts were ever in flight at once.
public final class MemoryStore: ObjectStore {
    public enum Operation: Sendable, Hashable { case prepare, put, stat, list, get, delete }

    struct State {
        var objects: [String: (bytes: [UInt8], modified: Date)] = [:]
        var completedPuts: [String] = []
        var faults: [Operation: [StoreError]] = [:]
        var inFlight = 0
        var maxInFlight = 0
        var held = false
        var waiting: [(id: UUID, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    public let kind: String

    public init(kind: String = "memory") { self.kind = kind }

    public func location(of folder: String) -> String { "memory store folder \(folder)" }

    // MARK: What a test sets and reads

    /// The next `times` calls of `operation` throw a `StoreError` of `kind`.
    public func failNext(_ operation: Operation, _ kind: StoreError.Kind, times: Int = 1) {
        state.withLock { $0.faults[operation, default: []] += Array(repeating: StoreError(kind, "injected \(kind.rawValue) failure of \(operation)"), count: times) }
    }

    public func holdPuts() { state.withLock { $0.held = true } }

    public func releasePuts() {
        let waiting = state.withLock { state in
            state.held = false
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.continuation.resume() }
    }

    /// How many puts are waiting in `holdPuts`.
    public var heldPuts: Int { state.withLock { $0.waiting.count } }

    public var maxConcurrentPuts: Int { state.withLock { $0.maxInFlight } }

    public var keys: [String] { state.withLock { $0.objects.keys.sorted() } }

    /// Keys in the order their puts completed.
    public var completedPuts: [String] { state.withLock { $0.completedPuts } }

    public func bytes(of key: String) -> [UInt8]? { state.withLock { $0.objects[key]?.bytes } }

    /// Writes an object directly, as another client of the storage would (to alter a backup, say).
    public func overwrite(_ key: String, with bytes: [UInt8], modified: Date = Date()) {
        state.withLock { $0.objects[key] = (bytes, modified) }
    }

    // MARK: ObjectStore

    private func fault(_ operation: Operation) throws {
        try Task.checkCancellation()
        let error = state.withLock { state -> StoreError? in
            guard var queue = state.faults[operation], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            state.faults[operation] = queue
            return first
        }
        if let error { throw error }
    }

    public func prepare(observer: TransferObserver) async throws { try fault(.prepare) }

    public func put(_ key: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        state.withLock { state in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        try fault(.put)
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let wait = state.withLock { state -> Bool in
                    if state.held, !Task.isCancelled { state.waiting.append((id, continuation)) }
                    return state.held && !Task.isCancelled
                }
                if !wait { continuation.resume() }
            }
        } onCancel: {
            let waiting = state.withLock { state in
                state.waiting.firstIndex { $0.id == id }.map { state.waiting.remove(at: $0).continuation }
            }
            waiting?.resume()
        }
        try Task.checkCancellation()
        let bytes = try await onOwnThread { _ in try Self.read(source) }
        state.withLock { state in
            state.objects[key] = (bytes, Date())
            state.completedPuts.append(key)
        }
        observer.completed(bytes: Int64(bytes.count))
        return ContentDigest(size: Int64(bytes.count), sha256: Digest.sha256(bytes))
    }

    public func stat(_ key: String) async throws -> ObjectInfo? {
        try fault(.stat)
        return state.withLock { state in
            state.objects[key].map { ObjectInfo(key: key, size: Int64($0.bytes.count), modified: $0.modified) }
        }
    }

    public func list(prefix: String) -> AsyncThrowingStream<ObjectInfo, any Error> {
        .found {
            try self.fault(.list)
            return self.state.withLock { state in
                state.objects.filter { $0.key.hasPrefix(prefix) }
                    .map { ObjectInfo(key: $0.key, size: Int64($0.value.bytes.count), modified: $0.value.modified) }
            }
        }
    }

    public func get(_ key: String, to localPath: String, observer: TransferObserver) async throws -> ContentDigest {
        try fault(.get)
        guard let bytes = state.withLock({ $0.objects[key]?.bytes }) else {
            throw StoreError(.notFound, "memory store has no object \(key)")
        }
        try Data(bytes).write(to: URL(fileURLWithPath: localPath))
        observer.completed(bytes: Int64(bytes.count))
        return ContentDigest(size: Int64(bytes.count), sha256: Digest.sha256(bytes))
    }

    public func delete(_ keys: [String]) async throws {
        try fault(.delete)
        state.withLock { state in keys.forEach { state.objects[$0] = nil } }
    }

    public func removeStaleUploads(olderThan cutoff: Date, observer: TransferObserver) async throws -> Int { 0 }

    private static func read(_ source: FileRange) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: source.readablePath) else {
            throw StoreError(.permanent, "cannot read \(source.path)")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(source.offset))
        let data = try handle.read(upToCount: Int(source.length)) ?? Data()
        guard data.count == source.length else {
            throw StoreError(.permanent, "\(source.path) became shorter while it was being read")
        }
        return Array(data)
    }
}
