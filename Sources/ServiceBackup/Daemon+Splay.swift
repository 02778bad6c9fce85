import Logging

extension Daemon {
    /// The delay `splay_seconds` gives this daemon's scheduled runs, logged once; 0 without `splay_seconds`.
    /// Derived from the service identifier (its command is run once, now) or, without one, the host name.
    func splayDelay(logger: Logger) async -> Double {
        let within = configuration.politeness.splaySeconds
        guard within > 0 else { return 0 }
        var key = Splay.hostName
        var source = "hostname"
        if let identifier = await backupRun.identifier(logger: logger), !identifier.isEmpty {
            key = identifier
            source = "identifier"
        }
        let delay = Splay.delay(for: key, within: within)
        logger.info("Scheduled backups are delayed by their splay", metadata: [
            "splay_seconds": .stringConvertible(delay),
            "splay_seconds_max": .stringConvertible(within),
            "splay_from": .string(source),
        ])
        return delay
    }
}
