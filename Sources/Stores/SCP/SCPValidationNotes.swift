extension SCPDestination {
    /// For an unpinned server: the host key it offers, in the form `fingerprint` takes.
    public func validationNotes() async -> [String] {
        guard !target.isPinned else { return [] }
        do {
            let fingerprint = try await Self.hostKeyFingerprint(target: target)
            return ["scp server \(target.endpoint) offers host key \(fingerprint): pin it with `fingerprint: \(fingerprint)`"]
        } catch {
            return ["scp server \(target.endpoint) could not be asked for its host key: \(error)"]
        }
    }
}
