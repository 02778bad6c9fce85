import Foundation
import Storage
import Synchronization
import Testing
import Transport

/// The shared pace of one destination, on a clock the test drives: sleeping advances it, nothing waits for real.
@Suite struct BandwidthLimitTests {
    final class FakeClock: Sendable {
        let time = Mutex<Double>(1000)
        var clock: BandwidthLimit.Clock {
            BandwidthLimit.Clock(now: { self.time.withLock { $0 } }, sleep: { seconds in self.time.withLock { $0 += seconds } })
        }
        func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
        var now: Double { time.withLock { $0 } }
    }

    /// Transfers asking for 64 KiB at a time (libcurl's upload buffer) until `total` bytes went; returns when each
    /// admitted share was released, and its size.
    func simulate(rate: Int64, total: Int64) -> [(at: Double, bytes: Int)] {
        let fake = FakeClock()
        let limit = BandwidthLimit(bytesPerSecond: rate, clock: fake.clock)
        let flag = CancellationFlag()
        var grants: [(at: Double, bytes: Int)] = []
        var sent: Int64 = 0
        while sent < total {
            let bytes = limit.admit(upTo: Int(min(64 << 10, total - sent)), cancellation: flag)
            grants.append((fake.now, bytes))
            sent += Int64(bytes)
        }
        return grants
    }

    @Test(arguments: [Int64(1 << 10), 100_000, 4 << 20, 50 << 20])
    func anyTenSecondsStayWithinFivePercentOfTheRate(rate: Int64) {
        let grants = simulate(rate: rate, total: rate * 30)
        let first = grants.first!.at
        let last = grants.last!.at
        // Every 10 s window that starts at a release: the bytes released in it, by a sliding sum.
        var end = 0
        var inWindow = 0
        for (index, grant) in grants.enumerated() where grant.at + 10 <= last {
            while end < grants.count && grants[end].at < grant.at + 10 {
                inWindow += grants[end].bytes
                end += 1
            }
            if Double(inWindow) > 1.05 * Double(rate) * 10 || Double(inWindow) < 0.95 * Double(rate) * 10 {
                Issue.record("\(inWindow) bytes in the 10 s from \(grant.at - first) s at \(rate) B/s")
                break
            }
            inWindow -= grants[index].bytes
        }
        let average = Double(grants.reduce(0) { $0 + $1.bytes }) / (last - first + Double(grants.last!.bytes) / Double(rate))
        #expect(abs(average - Double(rate)) <= 0.01 * Double(rate))
    }

    @Test func idleTimeIsNotSavedUpForABurst() {
        let fake = FakeClock()
        let limit = BandwidthLimit(bytesPerSecond: 1 << 20, clock: fake.clock)
        let flag = CancellationFlag()
        _ = limit.admit(upTo: 1 << 20, cancellation: flag)
        fake.advance(60)
        let before = fake.now
        var admitted = 0
        while admitted < 1 << 20 { admitted += limit.admit(upTo: 1 << 20, cancellation: flag) }
        // A second's worth after a minute of idleness still takes (almost) a second: no burst was saved up.
        #expect(fake.now - before >= 0.9)
    }

    @Test func aShareIsATwentiethOfASecondAndNeverMoreThanAsked() {
        let flag = CancellationFlag()
        let limit = BandwidthLimit(bytesPerSecond: 2 << 20, clock: FakeClock().clock)
        #expect(limit.admit(upTo: 10 << 20, cancellation: flag) == (2 << 20) / 20)
        #expect(limit.admit(upTo: 100, cancellation: flag) == 100)
    }

    @Test func aCancelledTransferStopsWaiting() {
        let fake = FakeClock()
        let limit = BandwidthLimit(bytesPerSecond: 1 << 10, clock: fake.clock)
        let flag = CancellationFlag()
        _ = limit.admit(upTo: 1 << 20, cancellation: flag)
        _ = limit.admit(upTo: 1 << 20, cancellation: flag)
        flag.cancel()
        #expect(limit.admit(upTo: 1 << 20, cancellation: flag) == 0)
    }

    @Test func theFlagAdmitsEverythingWithoutAPacer() {
        #expect(CancellationFlag().admit(upTo: 12345) == 12345)
    }
}
