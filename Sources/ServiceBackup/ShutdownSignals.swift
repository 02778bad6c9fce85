#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Transport

/// Turns SIGTERM and SIGINT into cancellation of one task: the way the daemon and a manual backup stop.
public enum ShutdownSignals {
    /// Calls `onSignal` with the signal's name on each SIGTERM or SIGINT, from the moment this returns.
    public static func listen(onSignal: @escaping @Sendable (String) -> Void) {
        SignalListener.listen(to: [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")], onSignal: onSignal)
    }
}
