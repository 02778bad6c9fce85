import Foundation
import Logging
import Manifest
import Storage
import Stores
import Testing
import Transport

/// The wrapper reaches the bytes: a put through it is paced by its limit (on a clock the test drives), a get is not.
@Suite struct BandwidthLimitedStoreTests {
    @Test func aPutIsPacedAndAGetIsNot() async throws {
        let folder = NSTemporaryDirectory() + "paced-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = folder + "/source"
        let size = 3 << 20
        try Data(repeating: 7, count: size).write(to: URL(fileURLWithPath: source))

        let fake = BandwidthLimitTests.FakeClock()
        let limit = BandwidthLimit(bytesPerSecond: 1 << 20, clock: fake.clock)
        let store = BandwidthLimitedStore(LocalStore(settings: LocalSettings(path: folder + "/target")), limit: limit)
        let observer = TransferObserver(kind: "local", logger: Logger(label: "test"))
        try await store.prepare(observer: observer)

        let start = fake.now
        let digest = try await store.put("copy", from: FileRange(path: source, length: Int64(size)), observer: observer)
        #expect(digest.size == Int64(size))
        // Three MiB at one MiB a second: the copy waited about three seconds of the test's clock for its shares.
        #expect(abs(fake.now - start - 3) < 0.1)

        let afterPut = fake.now
        _ = try await store.get("copy", to: folder + "/restored", observer: observer)
        #expect(fake.now == afterPut)
    }

    @Test func theFactoryWrapsOnlyALimitedDestination() throws {
        var configuration = DestinationConfiguration(kind: .local(LocalSettings(path: "/tmp/x")))
        #expect(!(try configuration.makeDestination().store is BandwidthLimitedStore))
        configuration.bandwidthLimit = 5 << 20
        let store = try configuration.makeDestination().store
        #expect((store as? BandwidthLimitedStore)?.limit.bytesPerSecond == 5 << 20)
    }
}
