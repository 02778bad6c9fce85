import Foundation
import Logging
import Signing
import Storage

/// The behaviour every `ObjectStore` promises, checked against a live store: the in-memory store in unit
/// tests, and each real store against its test peer (`store-conformance`). Every check works below a
/// prefix of its own and removes what it wrote.
public struct StoreConformance: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let store: any ObjectStore
    /// A size that makes the store split a file (S3 parts, Azure blocks); small stores may pass a small one.
    public let largeSize: Int
    let prefix: String
    let observer: TransferObserver

    public init(store: any ObjectStore, largeSize: Int = 3 << 20, logger: Logger = Logger(label: "conformance")) {
        self.store = store
        self.largeSize = largeSize
        self.prefix = "conformance-\(UUID().uuidString.prefix(8).lowercased())/"
        self.observer = TransferObserver(kind: store.kind, logger: logger)
    }

    /// The checks by name, in the order `runAll` runs them.
    public var checks: [(name: String, run: @Sendable () async throws -> Void)] {
        [
            ("round trip of names and sizes", roundTrip),
            ("missing objects", missing),
            ("overwrite replaces", overwrite),
            ("list is exact", listing),
            ("delete", deletion),
            ("stale uploads spare objects", staleUploadsSpareObjects),
        ]
    }

    /// Runs every check; throws the first failure, named.
    public func runAll() async throws {
        try await store.prepare(observer: observer)
        for check in checks {
            do {
                try await check.run()
            } catch {
                throw Failure(description: "\(store.kind) store: \(check.name): \(error)")
            }
        }
        try? await store.delete(await keys(under: prefix))
    }

    // MARK: Checks

    func roundTrip() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = ["a.txt", "empty", "nested/deeper/file.bin", "with space/naïve ünïcödé €.dat", "large.bin"]
        var expected: [String: [UInt8]] = [:]
        for name in names {
            let bytes = name == "empty" ? [] : pattern(count: name == "large.bin" ? largeSize : 1000 + name.count, seed: name.count)
            let key = prefix + "trip/" + name
            let digest = try await store.put(key, from: scratch.file(bytes), observer: observer)
            try expect(digest == ContentDigest(size: Int64(bytes.count), sha256: Digest.sha256(bytes)),
                       "put of \(name) reported \(digest.size) bytes \(digest.sha256Hex), expected \(bytes.count) bytes \(Digest.hex(Digest.sha256(bytes)))")
            expected[key] = bytes
        }
        for (key, bytes) in expected {
            let info = try await store.stat(key)
            try expect(info?.size == Int64(bytes.count), "stat of \(key) says \(String(describing: info?.size)) bytes, expected \(bytes.count)")
            let target = scratch.path("got-\(UUID().uuidString)")
            let digest = try await store.get(key, to: target, observer: observer)
            let got = try Array(Data(contentsOf: URL(fileURLWithPath: target)))
            try expect(got == bytes, "get of \(key) wrote \(got.count) bytes that differ from the \(bytes.count) put")
            try expect(digest.sha256 == Digest.sha256(bytes) && digest.size == Int64(bytes.count), "get of \(key) reported a wrong digest")
        }
        let listed = try await list(prefix + "trip/")
        try expect(Set(listed.keys) == Set(expected.keys), "list shows \(listed.keys.sorted()), expected \(expected.keys.sorted())")
        for (key, bytes) in expected {
            try expect(listed[key]?.size == Int64(bytes.count), "list says \(key) has \(String(describing: listed[key]?.size)) bytes")
        }
    }

    func missing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let absent = try await store.stat(prefix + "no/such/object")
        try expect(absent == nil, "stat of a missing key returned \(String(describing: absent))")
        do {
            _ = try await store.get(prefix + "no/such/object", to: scratch.path("missing"), observer: observer)
            throw Failure(description: "get of a missing key succeeded")
        } catch let error as StoreError {
            try expect(error.kind == .notFound, "get of a missing key threw \(error.kind), expected not_found: \(error)")
        }
        let none = try await list(prefix + "no/such/")
        try expect(none.isEmpty, "list of an empty prefix returned \(none.keys.sorted())")
        try await store.delete([prefix + "no/such/object"])
    }

    func overwrite() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let key = prefix + "over/file"
        _ = try await store.put(key, from: scratch.file(pattern(count: 5000, seed: 1)), observer: observer)
        let second = pattern(count: 1234, seed: 2)
        _ = try await store.put(key, from: scratch.file(second), observer: observer)
        let target = scratch.path("over")
        _ = try await store.get(key, to: target, observer: observer)
        let got = try Array(Data(contentsOf: URL(fileURLWithPath: target)))
        try expect(got == second, "after an overwrite get returned \(got.count) bytes, expected the second put's \(second.count)")
        let listed = try await list(prefix + "over/")
        try expect(Array(listed.keys) == [key], "after an overwrite list shows \(listed.keys.sorted()): a temporary or old object is visible")
    }

    func listing() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.file(pattern(count: 10, seed: 3))
        for name in ["ab/one", "ab/two/three", "abc/four", "a/five"] {
            _ = try await store.put(prefix + "list/" + name, from: file, observer: observer)
        }
        let folder = try await list(prefix + "list/ab/")
        try expect(Set(folder.keys) == [prefix + "list/ab/one", prefix + "list/ab/two/three"],
                   "list of folder ab/ shows \(folder.keys.sorted())")
        let all = try await list(prefix + "list/")
        try expect(all.count == 4, "list of the whole prefix shows \(all.keys.sorted())")
    }

    func deletion() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = try scratch.file(pattern(count: 10, seed: 4))
        let keys = [prefix + "del/one", prefix + "del/two/three"]
        for key in keys { _ = try await store.put(key, from: file, observer: observer) }
        try await store.delete(keys + [prefix + "del/never-there"])
        for key in keys {
            let left = try await store.stat(key)
            try expect(left == nil, "\(key) is still there after delete")
        }
        let listed = try await list(prefix + "del/")
        try expect(listed.isEmpty, "list after delete shows \(listed.keys.sorted())")
    }

    func staleUploadsSpareObjects() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let key = prefix + "stale/kept"
        _ = try await store.put(key, from: scratch.file(pattern(count: 10, seed: 5)), observer: observer)
        _ = try await store.removeStaleUploads(olderThan: Date().addingTimeInterval(3600), observer: observer)
        let kept = try await store.stat(key)
        try expect(kept?.size == 10, "removing stale uploads removed a complete object")
    }

    // MARK: Helpers

    private func list(_ prefix: String) async throws -> [String: ObjectInfo] {
        var found: [String: ObjectInfo] = [:]
        for try await object in store.list(prefix: prefix) {
            guard found[object.key] == nil else { throw Failure(description: "list returned \(object.key) twice") }
            found[object.key] = object
        }
        return found
    }

    private func keys(under prefix: String) async -> [String] {
        (try? await list(prefix).keys.sorted()) ?? []
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(description: message()) }
    }

    /// Bytes that differ from file to file and from offset to offset.
    private func pattern(count: Int, seed: Int) -> [UInt8] {
        var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}

/// A private folder for the files a check puts and gets.
struct Scratch {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "store-conformance-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func path(_ name: String) -> String { folder + "/" + name }

    func file(_ bytes: [UInt8]) throws -> FileRange {
        let path = path("put-\(UUID().uuidString)")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return FileRange(path: path, length: Int64(bytes.count))
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
