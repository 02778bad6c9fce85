import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGTERM and SIGINT into cancellation of one task: the way the daemon and a manual backup stop.
public final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    /// Calls `onSignal` with the signal's name on the first SIGTERM or SIGINT (later ones too, harmlessly).
    public init(onSignal: @escaping @Sendable (String) -> Void) {
        let queue = DispatchQueue(label: "service-backup.signals")
        sources = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { onSignal(name) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
