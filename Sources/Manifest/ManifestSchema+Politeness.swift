extension ManifestSchema {
    /// Keys that keep a backup from hurting the service it shares a VM with: the process priority of the
    /// upload work, a per-destination bandwidth limit, and a spread of a fleet's scheduled runs.
    enum Politeness {
        static let nice = ManifestKey(
            "nice", .integer, default: "0",
            "Scheduling niceness, 0 to 19, of the threads that read, hash and send backup files; "
                + "source_executable, cleanup_executable and the identifier command keep the daemon's own.")
        static let ionice = ManifestKey(
            "ionice", .string, default: IOPriority.none.name, allowed: IOPriority.allNames,
            "I/O scheduling class of the same threads: none (unchanged), idle, best-effort or best-effort:0 to 7.")
        static let splaySeconds = ManifestKey(
            "splay_seconds", .number, default: "0",
            "The daemon delays each scheduled run by a fixed share of this many seconds, 0 to 86400, derived from "
                + "the service identifier (the host name without one), so a fleet on one schedule spreads out.")

        /// `bandwidth_limit` inside the `config` of a destination of `type`.
        static func bandwidthLimit(_ type: String) -> ManifestKey {
            ManifestKey(
                "\(type).bandwidth_limit", .size,
                "Bytes per second sent to this destination over all its connections together, "
                    + "\(ByteSize.format(Politeness.bandwidthRange.lowerBound)) to "
                    + "\(ByteSize.format(Politeness.bandwidthRange.upperBound)), e.g. 50MiB; unlimited when unset.")
        }

        static let bandwidthRange: ClosedRange<Int64> = 1 << 10...1 << 40
        static let niceRange = 0...19
        static let splayRange = 0.0...86_400.0

        static let all = [nice, ionice, splaySeconds]
    }
}
