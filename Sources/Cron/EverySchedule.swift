/// `@every <duration>`: robfig's `ConstantDelaySchedule`. Fires `delay` after the given time,
/// on a whole second; delays under a second become one second, fractions of a second are dropped.
struct EverySchedule: Equatable, Sendable {
    /// Whole seconds, at least 1.
    let delaySeconds: Int64
    /// Whether the duration written was under a second (and so became one).
    let raisedToOneSecond: Bool

    init(nanoseconds: Int64) {
        let oneSecond: Int64 = 1_000_000_000
        raisedToOneSecond = nanoseconds < oneSecond
        let duration = max(nanoseconds, oneSecond)
        delaySeconds = duration / oneSecond
    }

    /// Schedules are equal when they fire alike, however their durations were written.
    static func == (left: EverySchedule, right: EverySchedule) -> Bool { left.delaySeconds == right.delaySeconds }

    /// `t + delay - t.Nanosecond()`: the sub-second part of `start` is dropped.
    func next(after start: Double) -> Double {
        start.rounded(.down) + Double(delaySeconds)
    }
}
