import Foundation
import Storage

/// One run found on a store, as `list` shows it.
public struct RunSummary: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// The manifest is there and every file with its size.
        case complete
        /// Files but no manifest: the run failed or was stopped.
        case incomplete
        /// The manifest is there, but a later run on the same day replaced some of its files.
        case superseded
        /// The manifest is there, but files are missing or have another size, and no later run explains it.
        case damaged
    }

    /// Nil for files no manifest claims and no run folder names.
    public var runID: String?
    /// `[<deployment>/]YYYY/MM/DD`
    public var dayFolder: String
    public var state: State
    public var files: Int
    public var bytes: Int64
    public var manifest: RunManifest?
    /// Keys of the run's files on the store, by relative path (what restore downloads).
    public var keys: [String: String]
    /// Files of the manifest that are missing or differ in size, by relative path.
    public var problems: [String]
    /// When the newest of a run without a manifest's files was written, as the store tells.
    public var modified: Date? = nil

    /// `2026/01/02` of the day folder (without the deployment part), for `--date`.
    public var date: String { dayFolder.split(separator: "/").suffix(3).joined(separator: "/") }
}

/// The runs on one store, written once over any store: list, verify, restore and retention read them here.
public struct Catalog: Sendable {
    public let store: any ObjectStore
    /// Files modified this long after their run's manifest count as replaced by a later run.
    static let clockSlack: TimeInterval = 2

    public init(store: any ObjectStore) { self.store = store }

    /// Every run, newest first. Manifests are read through `scratch`.
    public func runs(scratch: PrivateFolder, observer: TransferObserver) async throws -> [RunSummary] {
        var days: [String: [ObjectInfo]] = [:]
        for try await object in store.list(prefix: "") where !TemporaryName.isTemporary(object.key) {
            guard let (day, _) = Self.split(object.key) else { continue }
            days[day, default: []].append(object)
        }
        var runs: [RunSummary] = []
        for (day, objects) in days {
            runs += try await self.runs(inDay: day, objects: objects, scratch: scratch, observer: observer)
        }
        return runs.sorted { ($0.date, $0.runID ?? "~", $0.dayFolder) > ($1.date, $1.runID ?? "~", $1.dayFolder) }
    }

    private func runs(inDay day: String, objects: [ObjectInfo], scratch: PrivateFolder, observer: TransferObserver) async throws -> [RunSummary] {
        var byKey: [String: ObjectInfo] = [:]
        var manifests: [(manifest: RunManifest, object: ObjectInfo)] = []
        var runs: [RunSummary] = []
        for object in objects {
            byKey[object.key] = object
            let rest = String(object.key.dropFirst(day.count + 1))
            guard !rest.contains("/"), let runID = RunLayout.runID(ofManifestName: rest) else { continue }
            do {
                manifests.append((try await read(object.key, scratch: scratch, observer: observer), object))
            } catch let error where !(error is CancellationError) && StoreError.from(error).kind != .cancelled {
                runs.append(RunSummary(runID: runID, dayFolder: day, state: .damaged, files: 0, bytes: 0, manifest: nil,
                                       keys: [:], problems: ["\(object.key): \(error)"]))
            }
        }
        manifests.sort { $0.manifest.runID < $1.manifest.runID }
        var claimed = Set(manifests.map(\.object.key) + runs.map { RunLayout(dayFolder: day, runID: $0.runID ?? "", runFolder: false).manifestKey })
        for (index, (manifest, manifestObject)) in manifests.enumerated() {
            let layout = RunLayout(dayFolder: day, runID: manifest.runID, runFolder: manifest.runFolder)
            // The run's files were all written before its manifest: one written later, by the store's own clock, was replaced.
            let written = manifestObject.modified.map { $0 + Self.clockSlack } ?? .distantFuture
            let later = Set(manifests[(index + 1)...].filter { !$0.manifest.runFolder }.flatMap { $0.manifest.files.map(\.path) })
            var keys: [String: String] = [:]
            var problems: [String] = []
            var replaced = false
            for file in manifest.files {
                let key = layout.key(of: file.path)
                keys[file.path] = key
                claimed.insert(key)
                let object = byKey[key]
                if !manifest.runFolder, later.contains(file.path) || (object?.modified.map { $0 > written } ?? false) {
                    replaced = true
                } else if object?.size != file.size {
                    problems.append(file.path)
                }
            }
            let state: RunSummary.State = replaced ? .superseded : problems.isEmpty ? .complete : .damaged
            runs.append(RunSummary(
                runID: manifest.runID, dayFolder: day, state: state, files: manifest.files.count, bytes: manifest.totalBytes,
                manifest: manifest, keys: keys, problems: problems))
        }
        // What no manifest claims: runs that never finished, by run folder, or loose in the day folder.
        var unclaimed: [String?: [ObjectInfo]] = [:]
        for object in objects where !claimed.contains(object.key) {
            let rest = String(object.key.dropFirst(day.count + 1))
            let first = rest.split(separator: "/").first.map(String.init)
            let runID = first.flatMap { RunLayout.isRunID($0) && rest.contains("/") ? $0 : nil }
            unclaimed[runID, default: []].append(object)
        }
        for (runID, files) in unclaimed {
            let folder = runID.map { RemotePath.join(day, $0) } ?? day
            let keys = Dictionary(files.map { (String($0.key.dropFirst(folder.count + 1)), $0.key) }, uniquingKeysWith: { first, _ in first })
            runs.append(RunSummary(
                runID: runID, dayFolder: day, state: .incomplete, files: files.count, bytes: files.reduce(0) { $0 + $1.size },
                manifest: nil, keys: keys, problems: [], modified: files.compactMap(\.modified).max()))
        }
        return runs
    }

    private func read(_ key: String, scratch: PrivateFolder, observer: TransferObserver) async throws -> RunManifest {
        let file = scratch.path("manifest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try await store.get(key, to: file, observer: observer)
        return try RunManifest.decode(try Data(contentsOf: URL(fileURLWithPath: file)), key: key)
    }

    /// The day folder (`[<deployment>/]YYYY/MM/DD`) of `key`, and the rest; nil for a key outside any day folder.
    static func split(_ key: String) -> (day: String, rest: String)? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4 else { return nil }
        for start in 0...(parts.count - 4) {
            let (year, month, day) = (parts[start], parts[start + 1], parts[start + 2])
            if year.count == 4, month.count == 2, day.count == 2, [year, month, day].allSatisfy({ $0.allSatisfy(\.isNumber) }) {
                return (parts[...(start + 2)].joined(separator: "/"), parts[(start + 3)...].joined(separator: "/"))
            }
        }
        return nil
    }
}

extension Array where Element == RunSummary {
    /// The run `id`, or the newest complete run (on `date`, `YYYY/MM/DD`, when given).
    public func select(runID id: String?, date: String?) -> RunSummary? {
        if let id { return first { $0.runID == id } }
        return first { $0.state == .complete && (date == nil || $0.date == date) }
    }
}
