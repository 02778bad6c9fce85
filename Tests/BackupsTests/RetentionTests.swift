import Backups
import Foundation
import Logging
import Storage
import StorageTestKit
import Synchronization
import Testing

/// Retention's rules over an in-memory store holding runs written as a run writes them: files, then a manifest.
struct RetentionTests: Sendable {
    let store = MemoryStore()
    let scratch: PrivateFolder
    /// A fixed "now": 2026-03-10T12:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_773_144_000)
    static let day: TimeInterval = 86_400

    init() throws { scratch = try PrivateFolder() }

    var observer: TransferObserver { TransferObserver(kind: "memory", logger: Logger(label: "test")) }

    /// Writes a run that started `age` before now: its files (each with its name as content), then, when
    /// `complete`, its manifest. Returns the run id.
    @discardableResult
    func addRun(age: TimeInterval, files: [String] = ["a.rdb"], runFolder: Bool = false, complete: Bool = true,
                deployment: String? = nil) throws -> String {
        let started = Self.now - age
        let guid = String(format: "%08x", Int(age) % 0xffff_ffff) + "-0000-0000-0000-000000000000"
        let id = RunLayout.runID(startedAt: started, backupGUID: guid)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: started)
        let date = String(format: "%04d/%02d/%02d", c.year!, c.month!, c.day!)
        let layout = RunLayout(dayFolder: deployment.map { "\($0)/\(date)" } ?? date, runID: id, runFolder: runFolder)
        for file in files { store.overwrite(layout.key(of: file), with: Array(file.utf8), modified: started) }
        if complete {
            let manifest = RunManifest(
                runID: id, backupGUID: guid, identifier: nil, deployment: deployment, startedAt: started,
                finishedAt: started + 1, runFolder: runFolder,
                files: files.map { RunManifest.File(path: $0, size: Int64($0.utf8.count), sha256: String(repeating: "0", count: 64)) })
            store.overwrite(layout.manifestKey, with: Array(try manifest.encoded()), modified: started + 1)
        }
        return id
    }

    func plan(_ policy: RetentionPolicy) async throws -> [RetentionDeletion] {
        try await Pruner(destination: Destination(name: nil, store: store, concurrency: 1), policy: policy)
            .prune(dryRun: true, now: Self.now, scratch: scratch, observer: observer)
    }

    func deletedIDs(_ policy: RetentionPolicy) async throws -> Set<String> {
        Set(try await plan(policy).compactMap(\.run.runID))
    }

    @Test func keepDaysIsAStrictBoundary() async throws {
        let old = try addRun(age: 5 * Self.day, runFolder: true)
        let exactly = try addRun(age: 3 * Self.day, runFolder: true)
        try addRun(age: 3 * Self.day - 1, runFolder: true)
        try addRun(age: Self.day / 2, runFolder: true)
        #expect(try await deletedIDs(RetentionPolicy(keepDays: 3)) == [old, exactly])
    }

    @Test func keepRunsKeepsTheNewestCompleteRuns() async throws {
        let oldest = try addRun(age: 10 * Self.day, runFolder: true)
        let older = try addRun(age: 9 * Self.day, runFolder: true)
        try addRun(age: 8 * Self.day, runFolder: true)
        try addRun(age: 7 * Self.day, runFolder: true)
        try addRun(age: 2 * Self.day, files: ["x"], runFolder: true, complete: false)  // not counted
        #expect(try await deletedIDs(RetentionPolicy(keepRuns: 2)) == [oldest, older])
    }

    @Test func aRunGoesOnlyWhenOutsideBothLimits() async throws {
        let oldest = try addRun(age: 10 * Self.day, runFolder: true)
        try addRun(age: 9 * Self.day, runFolder: true)  // among the newest 3
        try addRun(age: 8 * Self.day, runFolder: true)
        try addRun(age: 7.9 * Self.day, runFolder: true)  // within 8 days and among the newest 3
        #expect(try await deletedIDs(RetentionPolicy(keepDays: 8, keepRuns: 3)) == [oldest])
        #expect(try await deletedIDs(RetentionPolicy(keepDays: 10, keepRuns: 1)) == [oldest])
        #expect(try await deletedIDs(RetentionPolicy(keepDays: 1, keepRuns: 4)).isEmpty)
    }

    @Test func neverTheNewestCompleteRunNorOneYoungerThanADay() async throws {
        let old = try addRun(age: 40 * Self.day, runFolder: true)
        try addRun(age: 30 * Self.day, runFolder: true)
        #expect(try await deletedIDs(RetentionPolicy(keepDays: 1)) == [old])

        try addRun(age: Self.day - 1, runFolder: true)
        try addRun(age: 60, runFolder: true)
        let dayOld = try addRun(age: Self.day, runFolder: true)
        // keep_runs 1 keeps the newest only; the two younger than a day stay anyway; a day old is old enough.
        #expect(try await deletedIDs(RetentionPolicy(keepRuns: 1)).contains(dayOld))
        #expect(try await deletedIDs(RetentionPolicy(keepRuns: 1)).count == 3)
    }

    @Test func filesAKeptRunListsStay() async throws {
        // Two runs in one day folder sharing a.rdb; the later is younger than a day and stays.
        let morning = Self.now - Self.day - 11 * 3600
        let early = try addRun(age: Self.now.timeIntervalSince(morning), files: ["a.rdb", "b.rdb"])
        let late = try addRun(age: Self.day - 3600, files: ["a.rdb"])
        let plan = try await plan(RetentionPolicy(keepRuns: 1))
        let deletion = try #require(plan.first)
        #expect(plan.count == 1 && deletion.run.runID == early && deletion.run.state == .superseded)
        #expect(deletion.files == ["2026/03/09/b.rdb"] && deletion.shared == 1)

        try await Pruner(destination: Destination(name: nil, store: store, concurrency: 1), policy: RetentionPolicy(keepRuns: 1))
            .prune(dryRun: false, now: Self.now, scratch: scratch, observer: observer)
        #expect(store.keys == ["2026/03/09/\(late).manifest.json", "2026/03/09/a.rdb"])
    }

    @Test func incompleteRunsStayForKeepIncompleteDays() async throws {
        try addRun(age: 0, runFolder: true)
        let oldFailed = try addRun(age: 8 * Self.day, files: ["x"], runFolder: true, complete: false)
        try addRun(age: 6 * Self.day, files: ["y"], runFolder: true, complete: false)
        // Files no manifest claims, loose in a day folder (a failed run, or the original tool's backup): dated by their time.
        store.overwrite("2026/02/01/legacy.rdb", with: [1], modified: Self.now - 37 * Self.day)
        store.overwrite("2026/03/05/recent.rdb", with: [1], modified: Self.now - 5 * Self.day)
        let plan = try await plan(RetentionPolicy(keepRuns: 5))
        #expect(plan.map(\.run.runID) == [nil, oldFailed])
        #expect(plan.map(\.files) == [["2026/02/01/legacy.rdb"], ["2026/03/02/\(oldFailed)/x"]])
        #expect(plan.allSatisfy { $0.manifestKey == nil })
        #expect(try await self.plan(RetentionPolicy(keepRuns: 5, keepIncompleteDays: 40)).isEmpty)
        // keep_days keeps what has no manifest too: the original tool's backups last as long as it promises.
        #expect(try await self.plan(RetentionPolicy(keepDays: 30)).map(\.run.runID) == [nil])
    }

    @Test func deploymentsSharingABasePathAreJudgedApart() async throws {
        let oldA = try addRun(age: 10 * Self.day, deployment: "a")
        try addRun(age: 9 * Self.day, deployment: "a")
        try addRun(age: 20 * Self.day, deployment: "b")  // b's newest complete run
        #expect(try await deletedIDs(RetentionPolicy(keepRuns: 1)) == [oldA])
    }

    @Test func aRunWhoseManifestCannotBeReadStays() async throws {
        try addRun(age: Self.day * 2, runFolder: true)
        store.overwrite("2026/01/01/20260101T000000Z-deadbeef.manifest.json", with: Array("not json".utf8), modified: Self.now - 60 * Self.day)
        #expect(try await plan(RetentionPolicy(keepRuns: 1)).isEmpty)
    }

    @Test func theManifestGoesBeforeTheFilesAndOldestRunsFirst() async throws {
        let recording = RecordingStore(base: store)
        let first = try addRun(age: 12 * Self.day, files: ["a", "b"], runFolder: true)
        let second = try addRun(age: 11 * Self.day, files: ["a"], runFolder: true)
        try addRun(age: 2 * Self.day, runFolder: true)
        let deleted = try await Pruner(destination: Destination(name: nil, store: recording, concurrency: 1), policy: RetentionPolicy(keepRuns: 1))
            .prune(dryRun: false, now: Self.now, scratch: scratch, observer: observer)
        #expect(deleted.map(\.run.runID) == [first, second])
        #expect(recording.deletes == [
            ["2026/02/26/\(first).manifest.json"], ["2026/02/26/\(first)/a", "2026/02/26/\(first)/b"],
            ["2026/02/27/\(second).manifest.json"], ["2026/02/27/\(second)/a"],
        ])
    }

    @Test func aFailedDeleteStopsThePruneAndLeavesEveryManifestTrue() async throws {
        let old = try addRun(age: 12 * Self.day, files: ["a", "b"], runFolder: true)
        try addRun(age: 2 * Self.day, runFolder: true)
        store.failNext(.delete, .permanent)
        await #expect(throws: StoreError.self) {
            try await Pruner(destination: Destination(name: nil, store: store, concurrency: 1), policy: RetentionPolicy(keepRuns: 1))
                .prune(dryRun: false, now: Self.now, scratch: scratch, observer: observer)
        }
        let runs = try await Catalog(store: store).runs(scratch: scratch, observer: observer)
        #expect(runs.map(\.state) == [.complete, .complete] && runs.last?.runID == old)
    }

    @Test func aDryRunDeletesNothing() async throws {
        try addRun(age: 12 * Self.day, runFolder: true)
        try addRun(age: 2 * Self.day, runFolder: true)
        let before = store.keys
        #expect(try await plan(RetentionPolicy(keepRuns: 1)).count == 1)
        #expect(store.keys == before)
    }
}

/// Passes everything on to `base` and records each delete call's keys, in order.
final class RecordingStore: WrappingStore {
    let base: any ObjectStore
    private let recorded = Mutex<[[String]]>([])

    init(base: any ObjectStore) { self.base = base }

    var deletes: [[String]] { recorded.withLock { $0 } }

    func delete(_ keys: [String]) async throws {
        recorded.withLock { $0.append(keys) }
        try await base.delete(keys)
    }
}
