import Foundation
import Logging
import Manifest
import Storage
import Stores
import Synchronization
import Testing
import Transport

/// Byte-level progress: what blocking reads report through the task-local pacer is counted per file, capped at the
/// file's size, taken back when the file fails and made whole when it arrives; a bandwidth limit still paces.
@Suite struct TransferProgressTests {
    func observer() -> TransferObserver { TransferObserver(kind: "local", logger: Logger(label: "test")) }

    /// What blocking work started here would report: the flag `onOwnThread` builds from the task-local pacer.
    func read(_ bytes: Int) {
        let flag = CancellationFlag(pacer: OwnThreadContext.pacer)
        #expect(flag.admit(upTo: bytes) == bytes, "a counter alone holds nothing back")
        #expect(!flag.isPaced)
        flag.didRead(bytes)
    }

    @Test func eachFileCountsAsItIsReadCappedAtItsSize() async throws {
        let observer = observer()
        await observer.metering(100) {
            read(60)
            #expect(observer.sentBytes == 60)
            read(60)  // a request sent again reads its bytes again: the file's count stops at its size
            #expect(observer.sentBytes == 100)
            read(30)
            #expect(observer.sentBytes == 100)
        }
        #expect(observer.sentBytes == 100)

        // A file whose put fails is taken back out; one that arrives counts whole, however little was reported.
        await #expect(throws: StoreError.self) {
            try await observer.metering(50) {
                read(20)
                #expect(observer.sentBytes == 120)
                throw StoreError(.transient, "cut off")
            }
        }
        #expect(observer.sentBytes == 100)
        await observer.metering(40) { read(10) }
        #expect(observer.sentBytes == 140)
        #expect(observer.bytes == 0, "the report's figure is left to the stores")

        // Reads outside a metered put count nowhere.
        read(10)
        #expect(observer.sentBytes == 140)
    }

    @Test func aLimitedLocalPutCountsAsItCopiesAndIsStillPaced() async throws {
        let folder = NSTemporaryDirectory() + "progress-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = folder + "/source"
        let size = 3 << 20
        try Data(repeating: 7, count: size).write(to: URL(fileURLWithPath: source))

        let observer = observer()
        let fake = BandwidthLimitTests.FakeClock()
        let seen = Mutex<[Int64]>([])
        // Each time the limit waits, note how far the count has got.
        let clock = BandwidthLimit.Clock(now: fake.clock.now, sleep: { seconds in
            seen.withLock { $0.append(observer.sentBytes) }
            fake.advance(seconds)
        })
        let store = BandwidthLimitedStore(
            LocalStore(settings: LocalSettings(path: folder + "/target")), limit: BandwidthLimit(bytesPerSecond: 1 << 20, clock: clock))
        try await store.prepare(observer: observer)

        let start = fake.now
        let digest = try await observer.metering(Int64(size)) {
            try await store.put("copy", from: FileRange(path: source, length: Int64(size)), observer: observer)
        }
        #expect(digest.size == Int64(size))
        #expect(abs(fake.now - start - 3) < 0.1, "the limit still paces under the counter")
        #expect(observer.sentBytes == Int64(size))
        let samples = seen.withLock { $0 }
        #expect(samples == samples.sorted(), "the count never goes back")
        let between = Set(samples.filter { $0 > 0 && $0 < Int64(size) })
        #expect(between.count >= 10, "the copy was seen part-way many times: \(samples)")
    }
}
