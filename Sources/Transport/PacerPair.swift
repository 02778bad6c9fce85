/// Two pacers over the same reads: each read is admitted by both in turn (so the stricter holds it back) and
/// both hear what was read. How a byte counter set for a run and a bandwidth limit set by a store share the
/// one task-local pacer that blocking work takes on its ``CancellationFlag``.
struct PacerPair: TransferPacer {
    let outer: any TransferPacer
    let inner: any TransferPacer

    func admit(upTo wanted: Int, cancellation: CancellationFlag) -> Int {
        let first = outer.admit(upTo: wanted, cancellation: cancellation)
        guard first > 0 else { return 0 }
        return inner.admit(upTo: first, cancellation: cancellation)
    }

    func didRead(_ bytes: Int) {
        outer.didRead(bytes)
        inner.didRead(bytes)
    }

    var holdsBack: Bool { outer.holdsBack || inner.holdsBack }
}

extension OwnThreadContext {
    /// Runs `operation` with `pacer` added to the task's pacer, if any: blocking work started inside takes both.
    public static func adding<T>(
        _ pacer: any TransferPacer, isolation: isolated (any Actor)? = #isolation, _ operation: () async throws -> T
    ) async rethrows -> T {
        let combined: any TransferPacer = Self.pacer.map { PacerPair(outer: $0, inner: pacer) } ?? pacer
        return try await $pacer.withValue(combined, operation: operation)
    }
}
