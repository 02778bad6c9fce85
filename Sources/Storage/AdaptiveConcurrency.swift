/// How many requests a window lets run at once when the operator left `concurrency` unset: it learns the knee of
/// the link from the bytes its requests complete. Time is given to it, never read, so it is tested without a clock.
///
/// It measures in rounds: a round ends once as many requests have completed as the width allows (and
/// `minimumRound` has passed), and its rate is the bytes they completed over the round's time. After every change of
/// width one shorter round is let pass unmeasured, while the new requests get going.
/// - While a round is faster than the best rate seen at a smaller width by `gain` (or, for a small step, by half
///   the step's share of the width), the width grows: doubled at first, then by a quarter (at least one).
/// - When a wider round does not pay that much, the width goes back to where the best rate was seen and growth
///   turns additive; every `probeEvery` rounds at the knee it tries a step more, to follow a link that got faster.
/// - A retried request (throttling, a 5xx, a reset) halves the width, at most once a round.
/// The width stays within `minimum...maximum`.
public struct AdaptiveConcurrency: Sendable, Equatable {
    public let minimum: Int
    public let maximum: Int
    /// The fraction a wider round must gain over the best narrower one for the growth to count as paying.
    public let gain: Double
    public let minimumRound: Duration
    public let probeEvery: Int

    public private(set) var width: Int
    private var slowStart = true
    private var settling = false
    private var roundStart: Duration?
    private var roundBytes: Int64 = 0
    private var roundCompletions = 0
    private var bestRate: Double?
    private var bestWidth: Int
    private var roundsAtKnee = 0
    private var congestedInRound = false

    public init(
        initial: Int, maximum: Int, minimum: Int = 1, gain: Double = 0.10, minimumRound: Duration = .milliseconds(50),
        probeEvery: Int = 4
    ) {
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum)
        self.gain = gain
        self.minimumRound = minimumRound
        self.probeEvery = max(1, probeEvery)
        width = min(self.maximum, max(self.minimum, initial))
        bestWidth = width
    }

    /// A request that held a permit ended at `now` (any fixed origin) having moved `bytes`; returns the width.
    @discardableResult
    public mutating func completed(bytes: Int64, at now: Duration) -> Int {
        guard let start = roundStart else {
            // No start was told: this completion only starts the clock.
            roundStart = now
            return width
        }
        roundBytes += max(0, bytes)
        roundCompletions += 1
        let wanted = settling ? max(1, width / 2) : width
        guard roundCompletions >= wanted, now - start >= minimumRound else { return width }
        let rate = Double(roundBytes) / max((now - start) / .seconds(1), 1e-9)
        let bytes = roundBytes
        startRound(at: now)
        if settling {
            settling = false
        } else if bytes > 0 {
            decide(rate: rate, at: now)
        }
        return width
    }

    /// A request got its permit at `now`: the first one starts the first round's clock.
    public mutating func started(at now: Duration) {
        if roundStart == nil { roundStart = now }
    }

    /// A request had to be tried again (throttled, refused with a 5xx, cut off): halves the width, once a round.
    @discardableResult
    public mutating func congested(at now: Duration) -> Int {
        guard !congestedInRound else { return width }
        slowStart = false
        bestRate = nil
        change(to: max(minimum, width / 2), at: now)
        bestWidth = width
        congestedInRound = true
        return width
    }

    private mutating func decide(rate: Double, at now: Duration) {
        guard let best = bestRate else {
            // The first measure, or a new one after a step back: only the first grows at once.
            bestRate = rate
            bestWidth = width
            roundsAtKnee = 0
            if slowStart { grow(at: now) }
            return
        }
        if width > bestWidth {
            // A step of a few requests cannot gain what a doubling does: it must pay half its share, up to `gain`.
            let share = Double(width - bestWidth) / Double(bestWidth)
            if rate >= best * (1 + min(gain, share / 2)) {
                bestRate = rate
                bestWidth = width
                grow(at: now)
            } else {
                // Wider did not pay: back to the knee, and from now on grow one at a time.
                slowStart = false
                bestRate = nil
                roundsAtKnee = 0
                change(to: bestWidth, at: now)
            }
            return
        }
        // At the knee (or below it after a back-off): follow the link's rate, and now and then try one more.
        bestRate = rate
        bestWidth = width
        roundsAtKnee += 1
        if roundsAtKnee >= probeEvery {
            roundsAtKnee = 0
            grow(at: now)
        }
    }

    private mutating func grow(at now: Duration) {
        let next = slowStart ? width * 2 : width + max(1, width / 4)
        change(to: min(maximum, next), at: now)
    }

    private mutating func change(to next: Int, at now: Duration) {
        guard next != width else { return }
        width = next
        settling = true
        startRound(at: now)
    }

    private mutating func startRound(at now: Duration) {
        roundStart = now
        roundBytes = 0
        roundCompletions = 0
        congestedInRound = false
    }
}
