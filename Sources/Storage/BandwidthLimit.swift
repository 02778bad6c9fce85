import Foundation
import Synchronization
import Transport

/// One destination's `bandwidth_limit`: every transfer of the destination takes its bytes from this one
/// budget, so all its connections together keep the rate.
///
/// Each call admits a share of at most a twentieth of a second's bytes and gives it the next free slot of
/// time (`start = max(now, end of the last slot)`), then waits for the slot's start. Slots never overlap
/// and idle time is not saved up, so the bytes admitted in any span of time are at most the rate times
/// the span plus one share: within 0.5 % of the rate over 10 seconds. Waits run on the transfer's own thread.
public final class BandwidthLimit: TransferPacer {
    /// Seconds on some monotonic scale, and a way to sleep: injected by tests.
    public struct Clock: Sendable {
        public var now: @Sendable () -> Double
        public var sleep: @Sendable (Double) -> Void

        public init(now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) -> Void) {
            self.now = now
            self.sleep = sleep
        }

        public static var system: Clock {
            let origin = ContinuousClock.now
            return Clock(
                now: {
                    let elapsed = ContinuousClock.now - origin
                    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                },
                sleep: { seconds in Thread.sleep(forTimeInterval: seconds) })
        }
    }

    public let bytesPerSecond: Int64
    /// The most bytes one call admits.
    public let share: Int
    /// The longest single sleep, so a cancelled transfer stops waiting soon.
    static let pollInterval = 0.1

    private let clock: Clock
    /// Where the last admitted slot ends, on the clock's scale.
    private let slotEnd = Mutex<Double>(-Double.infinity)

    public init(bytesPerSecond: Int64, clock: Clock = .system) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        self.share = Int(max(256, min(1 << 20, self.bytesPerSecond / 20)))
        self.clock = clock
    }

    public func admit(upTo wanted: Int, cancellation: CancellationFlag) -> Int {
        guard wanted > 0 else { return 0 }
        let bytes = min(wanted, share)
        let now = clock.now()
        let start = slotEnd.withLock { end in
            let start = max(end, now)
            end = start + Double(bytes) / Double(bytesPerSecond)
            return start
        }
        while true {
            if cancellation.isCancelled { return 0 }
            let wait = start - clock.now()
            if wait <= 0 { return bytes }
            clock.sleep(min(wait, Self.pollInterval))
        }
    }
}
