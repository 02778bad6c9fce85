/// An alert channel that did not finish in its time.
struct AlertTimedOut: Error, CustomStringConvertible {
    var what: String
    var limit: Duration

    var description: String { "\(what) timed out after \(Int(limit.inSecondsRounded)) seconds" }
}

extension Duration {
    fileprivate var inSecondsRounded: Double { (Double(components.seconds) + Double(components.attoseconds) / 1e18).rounded() }
}

/// Which of an operation and its deadline came first.
private enum DeadlineRace<T: Sendable>: Sendable {
    case value(T)
    case timedOut
}

/// Runs `operation`, cancelling it and throwing ``AlertTimedOut`` when it takes longer than `limit`.
/// A cancelled HTTP transfer stops within about a second; a child process gets SIGTERM.
func withDeadline<T: Sendable>(
    _ limit: Duration, what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: DeadlineRace<T>.self) { group in
        group.addTask { .value(try await operation()) }
        group.addTask {
            try await Task.sleep(for: limit)
            return .timedOut
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        switch first {
        case .value(let value): return value
        case .timedOut: throw AlertTimedOut(what: what, limit: limit)
        }
    }
}
