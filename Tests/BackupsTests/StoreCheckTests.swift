import Backups
import Foundation
import Logging
import Storage
import StorageTestKit
import Testing

/// `check` over an in-memory store: the canary's path through the store, failures named by step, the clock.
struct StoreCheckTests: Sendable {
    let store = MemoryStore()
    let scratch: PrivateFolder

    init() throws { scratch = try PrivateFolder() }

    var observer: TransferObserver { TransferObserver(kind: "memory", logger: Logger(label: "test")) }

    func check(_ store: any ObjectStore) async -> [StoreFinding] {
        await StoreCheck(destination: Destination(name: "m", store: store, concurrency: 1)).run(scratch: scratch, observer: observer)
    }

    @Test func aSoundStoreGivesTwoOkLinesAndKeepsNoCanary() async {
        let findings = await check(store)
        #expect(findings.map(\.level) == [.ok, .ok])
        #expect(findings[1].text.hasPrefix("canary \(StoreCheck.canaryPrefix)") && findings[1].text.hasSuffix("and deleted"))
        #expect(store.keys.isEmpty)
        #expect(store.completedPuts.count == 1 && store.completedPuts[0].hasPrefix(StoreCheck.canaryPrefix))
    }

    @Test func failuresNameTheirStep() async {
        store.failNext(.prepare, .unauthorized)
        let refused = await check(store)
        #expect(refused.map(\.level) == [.fail] && refused[0].text.hasPrefix("cannot reach or prepare memory store folder"))

        store.failNext(.get, .permanent)
        let unreadable = await check(store)
        #expect(unreadable.map(\.level) == [.ok, .fail] && unreadable[1].text.contains(": read back failed: "))
        #expect(store.keys.isEmpty)  // the canary is removed even so

        store.failNext(.delete, .permanent)
        let undeletable = await check(store)
        #expect(undeletable[1].level == .fail && undeletable[1].text.contains(": delete failed: "))
    }

    @Test func skewIsJudgedAtFiveAndFifteenMinutes() {
        #expect(StoreCheck.judge(skew: 300).level == .ok)
        #expect(StoreCheck.judge(skew: -301).level == .warn)
        #expect(StoreCheck.judge(skew: 900).level == .warn)
        #expect(StoreCheck.judge(skew: 901).level == .fail)
        #expect(StoreCheck.judge(skew: -3600).text.hasPrefix("clock: this machine is 1h 0m behind the server's Date"))
        #expect(StoreCheck.judge(skew: 400).text.hasPrefix("clock: this machine is 6m 40s ahead of the server's Date"))
    }

    @Test func aStoreWithAClockIsCheckedAgainstIt() async {
        let findings = await check(ClockStore(base: store, offset: 7200))
        #expect(findings.first?.level == .fail && findings.first?.text.contains("behind the server's Date") == true)
        #expect(findings.count == 3)
    }
}

/// A store whose server clock runs `offset` seconds ahead of this machine's.
struct ClockStore: WrappingStore {
    let base: any ObjectStore
    let offset: TimeInterval

    func serverClock() async throws -> Date? { Date().addingTimeInterval(offset) }
}
