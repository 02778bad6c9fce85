extension BackupConfiguration {
    /// `validate`'s lines about bandwidth limits, the upload work's priority and the splay; none with the defaults.
    public var politenessLines: [String] {
        var lines: [String] = []
        for (index, destination) in destinations.enumerated() {
            guard let limit = destination.bandwidthLimit else { continue }
            lines.append("destination \(index + 1): uploads at most \(ByteSize.format(limit))/s (\(limit) bytes/s)")
        }
        if politeness.lowersPriority {
            lines.append("upload work: nice \(politeness.nice), ionice \(politeness.ioPriority.name)")
        }
        if politeness.splaySeconds > 0 {
            let shown = politeness.splaySeconds.rounded() == politeness.splaySeconds
                ? String(Int(politeness.splaySeconds)) : String(politeness.splaySeconds)
            lines.append("splay: each scheduled run waits a fixed delay under \(shown) s (from the identifier or host name)")
        }
        return lines
    }
}
