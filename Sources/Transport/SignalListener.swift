import CLinux
import Foundation

/// Process signals heard on a thread of their own: a handler installed at once writes each signal to a pipe
/// that the thread reads, so a signal sent in the first moment after start-up is never lost (as one could be
/// while a dispatch source was still being set up) and no Swift concurrency thread ever waits for one.
public enum SignalListener {
    /// Installs the handlers for `signals` (number and name) and calls `onSignal` with the name of each one
    /// received, on a thread of its own, for the life of the process. Call it once per process.
    public static func listen(to signals: [(number: Int32, name: String)], onSignal: @escaping @Sendable (String) -> Void) {
        let numbers = signals.map(\.number)
        let names = Dictionary(uniqueKeysWithValues: signals.map { ($0.number, $0.name) })
        let descriptor = numbers.withUnsafeBufferPointer { sb_signals_install($0.baseAddress, Int32($0.count)) }
        guard descriptor >= 0 else {
            // Without the pipe the default actions stay: a signal still stops the process, only not gracefully.
            return
        }
        let thread = Thread {
            while case let number = sb_signals_next(descriptor), number >= 0 {
                onSignal(names[number] ?? "signal \(number)")
            }
        }
        thread.name = "service-backup.signals"
        thread.start()
    }
}
