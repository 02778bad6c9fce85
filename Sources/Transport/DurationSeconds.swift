extension Duration {
    /// The duration in seconds, with its fraction: what logs and summaries report.
    public var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
