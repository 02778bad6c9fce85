extension AsyncThrowingStream where Element == ObjectInfo, Failure == any Error {
    /// A listing whose objects `produce` hands to `yield` as it finds them (page by page, say), run in a task
    /// of its own and cancelled with its reader; what it throws ends the stream.
    public static func producing(_ produce: @escaping @Sendable (_ yield: @escaping @Sendable (ObjectInfo) -> Void) async throws -> Void) -> Self {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await produce { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A listing that one call finds whole (a folder walk).
    public static func found(by find: @escaping @Sendable () async throws -> [ObjectInfo]) -> Self {
        producing { yield in try await find().forEach(yield) }
    }
}
