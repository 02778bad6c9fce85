import Foundation
import Signing
import Storage
import Transport

/// What `check` proves about one destination, written once over any store: the server's identity (a host key
/// against its pin), its clock against this machine's, that it is reachable with the credentials and ready
/// (`prepare`: the bucket, container or folder exists or was created), and that a canary object can be
/// written, read back whole and deleted.
public struct StoreCheck: Sendable {
    public let destination: Destination
    /// Canary keys start with this, below the destination's base path and outside any day folder, so no
    /// listing of runs ever counts one.
    public static let canaryPrefix = ".service-backup-check-"
    /// Request signatures (SigV4, SharedKey) are refused beyond 15 minutes of skew; warn well before.
    public static let skewWarning: TimeInterval = 300
    public static let skewFailure: TimeInterval = 900
    static let canarySize = 4096

    public init(destination: Destination) { self.destination = destination }

    var store: any ObjectStore { destination.store }

    /// Every finding, in the order checked; never throws.
    public func run(scratch: PrivateFolder, observer: TransferObserver) async -> [StoreFinding] {
        var findings = await clock()
        findings += await store.identityFindings()
        let location = store.location(of: "")
        do {
            try await store.prepare(observer: observer)
            findings.append(StoreFinding(.ok, "reachable and ready with these credentials: \(location)"))
        } catch {
            findings.append(StoreFinding(.fail, "cannot reach or prepare \(location): \(StoreError.from(error))"))
            return findings
        }
        findings.append(await canary(scratch: scratch, observer: observer))
        return findings
    }

    /// Writes a canary object of random bytes, reads it back, compares, deletes it and checks it is gone.
    func canary(scratch: PrivateFolder, observer: TransferObserver) async -> StoreFinding {
        let key = Self.canaryPrefix + UUID().uuidString.lowercased().prefix(13).replacingOccurrences(of: "-", with: "")
        let written = scratch.path("canary-out-\(UUID().uuidString)")
        let read = scratch.path("canary-in-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(atPath: written)
            try? FileManager.default.removeItem(atPath: read)
        }
        var step = "write"
        do {
            let bytes = (0..<Self.canarySize).map { _ in UInt8.random(in: 0...255) }
            try await onOwnThread { _ in try Data(bytes).write(to: URL(fileURLWithPath: written)) }
            let sent = try await store.put(key, from: FileRange(path: written, length: Int64(bytes.count)), observer: observer)
            step = "stat"
            guard let info = try await store.stat(key), info.size == Int64(bytes.count) else {
                throw StoreError(.permanent, "the store does not show it with its \(bytes.count) bytes")
            }
            step = "read back"
            let received = try await store.get(key, to: read, observer: observer)
            guard received == sent, sent.sha256 == Digest.sha256(bytes) else {
                throw StoreError(.permanent, "the bytes read back differ from those written")
            }
            step = "delete"
            try await store.delete([key])
            guard try await store.stat(key) == nil else { throw StoreError(.permanent, "it is still there after deletion") }
            return StoreFinding(.ok, "canary \(key) written, read back (\(bytes.count) bytes, SHA-256 matches) and deleted")
        } catch {
            if step != "delete" { try? await store.delete([key]) }
            return StoreFinding(.fail, "canary \(key): \(step) failed: \(StoreError.from(error))")
        }
    }

    /// This machine's clock against the server's `Date`, for stores that have one.
    func clock() async -> [StoreFinding] {
        let before = Date()
        let server: Date?
        do {
            server = try await store.serverClock()
        } catch {
            return [StoreFinding(.warn, "cannot read the server's clock: \(StoreError.from(error))")]
        }
        guard let server else { return [] }
        let after = Date()
        // A Date header drops the fraction of its second: the server's time was within the second after it.
        let skew = before.addingTimeInterval(after.timeIntervalSince(before) / 2).timeIntervalSince(server + 0.5)
        return [Self.judge(skew: skew)]
    }

    /// A finding for this machine's clock being `skew` seconds ahead of the server's (negative: behind).
    public static func judge(skew: TimeInterval) -> StoreFinding {
        let size = abs(skew)
        let side = skew >= 0 ? "ahead of" : "behind"
        let text = "clock: this machine is \(Self.duration(size)) \(side) the server's Date"
        if size > skewFailure {
            return StoreFinding(.fail, text + "; signed requests are refused beyond 15 minutes: fix this machine's time (NTP)")
        }
        if size > skewWarning { return StoreFinding(.warn, text + "; signed requests are refused beyond 15 minutes") }
        return StoreFinding(.ok, text)
    }

    /// `2s`, `6m 40s`, `3h 2m`.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m \(total % 60)s" }
        return "\(total / 3600)h \(total % 3600 / 60)m"
    }
}

/// The source folder as a run would read it: there, a folder, and readable.
public enum SourceFolderCheck {
    public static func run(_ path: String) -> StoreFinding {
        guard !path.isEmpty else { return StoreFinding(.fail, "source_folder is not set") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            return StoreFinding(.fail, "source folder \(path) does not exist")
        }
        guard isFolder.boolValue else { return StoreFinding(.fail, "source folder \(path) is not a folder") }
        do {
            let entries = try FileManager.default.contentsOfDirectory(atPath: path)
            return StoreFinding(.ok, "source folder \(path) exists and is readable (\(entries.count) top-level entries)")
        } catch {
            return StoreFinding(.fail, "source folder \(path) cannot be read: \(error.localizedDescription)")
        }
    }
}
