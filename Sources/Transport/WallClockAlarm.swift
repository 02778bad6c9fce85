import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Sleeping until a time of the wall clock with no wake-up before it: a Linux timerfd on `CLOCK_REALTIME`, armed
/// for the absolute time, so a suspended machine or a clock set forward wakes the sleeper as soon as that time has
/// passed, and nothing wakes it in between (no polling, no periodic timer). The wait blocks a thread of its own,
/// never a Swift concurrency thread.
public enum WallClockAlarm {
    /// How a sleep ended.
    public enum Outcome: Sendable, Equatable {
        /// The wall clock reached the time.
        case due
        /// The task was cancelled first.
        case cancelled
        /// The system has no such alarm (or it failed): the caller sleeps some other way.
        case unavailable
    }

    /// Sleeps until the wall clock reads `time` or the task is cancelled.
    public static func sleep(until time: Date) async -> Outcome {
        if Task.isCancelled { return .cancelled }
        if time.timeIntervalSinceNow <= 0 { return .due }
        guard let descriptors = AlarmDescriptors() else { return .unavailable }
        defer { descriptors.close() }
        let since = time.timeIntervalSince1970
        let seconds = since.rounded(.down)
        let nanoseconds = min(999_999_999, max(0, Int((since - seconds) * 1e9)))
        let whole = seconds >= 1e15 ? Int64(1e15) : Int64(max(0, seconds))
        let (alarm, cancel) = (descriptors.alarm, descriptors.cancel)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let thread = Thread {
                    _ = sb_thread_set_name("sb-alarm")
                    let result = sb_alarm_wait(alarm, cancel, whole, nanoseconds)
                    continuation.resume(returning: result == 0 ? .due : result == 2 ? .cancelled : .unavailable)
                }
                thread.start()
            }
        } onCancel: {
            descriptors.cancelWait()
        }
    }
}

/// The alarm's timerfd and the eventfd that cancels its wait; a cancellation that comes after `close()` does nothing.
private final class AlarmDescriptors: Sendable {
    let alarm: Int32
    let cancel: Int32
    private let open = Mutex(true)

    init?() {
        alarm = sb_alarm_open()
        guard alarm >= 0 else { return nil }
        cancel = sb_alarm_cancel_open()
        guard cancel >= 0 else {
            Glibc.close(alarm)
            return nil
        }
    }

    func cancelWait() {
        open.withLock { isOpen in
            if isOpen { _ = sb_alarm_cancel(cancel) }
        }
    }

    func close() {
        open.withLock { isOpen in
            guard isOpen else { return }
            isOpen = false
            Glibc.close(alarm)
            Glibc.close(cancel)
        }
    }
}
