import Testing
@testable import ServiceBackup

@Suite struct SplayTests {
    @Test func noSplayMeansNoDelay() {
        #expect(Splay.delay(for: "redis-1", within: 0) == 0)
    }

    @Test func theDelayIsTheSameForTheSameKeyAndWithinTheSplay() {
        for key in ["redis-1", "", "ünïcode", String(repeating: "x", count: 1000)] {
            let delay = Splay.delay(for: key, within: 600)
            #expect(delay >= 0 && delay < 600)
            #expect(Splay.delay(for: key, within: 600) == delay)
        }
    }

    /// FNV-1a 64 of the key's UTF-8, MurmurHash3's finaliser, top 53 bits as a fraction: fixed, so a fleet's
    /// delays survive upgrades. The values were computed by an independent Python implementation.
    @Test func theDerivationIsFixed() {
        #expect(Splay.delay(for: "a", within: 3600) == 1837.0602635636558)
        #expect(Splay.delay(for: "redis-1", within: 600) == 59.197869416355495)
    }

    @Test func aFleetSpreadsOverTheWholeSplay() {
        let delays = (0..<1000).map { Splay.delay(for: "instance-\($0)", within: 100) }
        // Ten buckets of ten seconds: each gets a fair share of a thousand instances.
        let buckets = Dictionary(grouping: delays) { Int($0 / 10) }.mapValues(\.count)
        #expect(buckets.count == 10)
        #expect(buckets.values.allSatisfy { (60...140).contains($0) })
    }
}
