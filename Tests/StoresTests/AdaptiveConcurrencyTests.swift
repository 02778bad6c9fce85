import Storage
import Testing

/// The adaptive window's policy over a simulated link: each request of `partBytes` runs at
/// min(perConnection, total / n) with n in flight, so the link pays for more requests up to its knee
/// (total / perConnection) and not beyond. Time is the simulation's own: no clock is read.
@Suite struct AdaptiveConcurrencyTests {
    struct Link {
        var perConnection: Double
        var total: Double
        var partBytes: Int64 = 16 << 20

        func rate(_ inFlight: Int) -> Double { min(Double(inFlight) * perConnection, total) }
    }

    /// Runs `completions` requests through `policy` over `link`, one completing every partBytes / rate seconds;
    /// returns the width after each completion.
    static func simulate(_ policy: inout AdaptiveConcurrency, _ link: Link, completions: Int, start: Duration = .zero) -> [Int] {
        var now = start
        var widths: [Int] = []
        for _ in 0..<completions {
            now += .seconds(Double(link.partBytes) / link.rate(policy.width))
            widths.append(policy.completed(bytes: link.partBytes, at: now))
        }
        return widths
    }

    static let mib = Double(1 << 20)

    @Test func growsToTheKneeOfTheLinkAndStaysNearIt() {
        // 50 MiB/s a connection, 400 MiB/s in all: the knee is 8 requests.
        var policy = AdaptiveConcurrency(initial: 4, maximum: 32)
        let widths = Self.simulate(&policy, Link(perConnection: 50 * Self.mib, total: 400 * Self.mib), completions: 2000)
        #expect(widths.max() ?? 0 > 4)
        let late = widths.suffix(1000)
        #expect(late.allSatisfy { (8...10).contains($0) }, "late widths \(Set(late))")
        #expect(late.filter { $0 == 8 }.count > late.count / 2)
    }

    @Test func aLinkThatAlwaysPaysIsCappedByTheMaximum() {
        var policy = AdaptiveConcurrency(initial: 4, maximum: 32)
        let widths = Self.simulate(&policy, Link(perConnection: 50 * Self.mib, total: 10_000 * Self.mib), completions: 500)
        #expect(widths.max() == 32)
        #expect(widths.last == 32)
    }

    @Test func aLinkAlreadyFullAtTheStartGoesBackToIt() {
        // A loopback link: one connection already fills it; trying more does not pay, so the width returns.
        var policy = AdaptiveConcurrency(initial: 4, maximum: 32)
        let widths = Self.simulate(&policy, Link(perConnection: 2_000 * Self.mib, total: 1_000 * Self.mib), completions: 1000)
        #expect(widths.max() ?? 0 <= 8)
        let late = widths.suffix(500)
        #expect(late.allSatisfy { (4...5).contains($0) }, "late widths \(Set(late))")
    }

    @Test func retriesHalveTheWidthOnceARoundAndGrowthResumesAdditively() {
        var policy = AdaptiveConcurrency(initial: 4, maximum: 32)
        let link = Link(perConnection: 50 * Self.mib, total: 10_000 * Self.mib)
        _ = Self.simulate(&policy, link, completions: 200)
        #expect(policy.width == 32)
        let now = Duration.seconds(1000)
        #expect(policy.congested(at: now) == 16)
        #expect(policy.congested(at: now) == 16, "a second retry in the same round does not halve again")
        let widths = Self.simulate(&policy, link, completions: 600, start: now)
        // Growth after a back-off is by a quarter, never a doubling, and it gets back to the maximum.
        for (before, after) in zip([16] + widths, widths) { #expect(after <= before + max(1, before / 4)) }
        #expect(widths.last == 32)
        var low = AdaptiveConcurrency(initial: 1, maximum: 8)
        #expect(low.congested(at: .zero) == 1, "never below the minimum")
    }

    @Test func requestsWithoutBytesLeaveTheWidthAlone() {
        var policy = AdaptiveConcurrency(initial: 4, maximum: 32)
        for step in 1...100 { policy.completed(bytes: 0, at: .milliseconds(100 * step)) }
        #expect(policy.width == 4)
    }

    @Test func aFixedWindowIsItsPermitsAndAnAdaptiveOneStartsAtThePolicy() async throws {
        let fixed = ConcurrencyWindow(permits: 3)
        let fixedLimit = await fixed.limit
        let fixedCapacity = await fixed.capacity
        #expect(fixedCapacity == 3 && fixedLimit == 3)
        let adaptive = ConcurrencyWindow(adaptive: AdaptiveConcurrency(initial: 4, maximum: 32), clock: { .zero })
        let adaptiveLimit = await adaptive.limit
        let adaptiveCapacity = await adaptive.capacity
        #expect(adaptiveCapacity == 32 && adaptiveLimit == 4)
        // Requests beyond the limit wait: never more than the limit run at once.
        let counter = InFlight()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask { try await adaptive.withPermit(bytes: 1 << 20) { await counter.run() } }
            }
            try await group.waitForAll()
        }
        #expect(await counter.most <= 4)
    }

    actor InFlight {
        var now = 0
        var most = 0
        func run() async {
            now += 1
            most = max(most, now)
            await Task.yield()
            now -= 1
        }
    }
}
