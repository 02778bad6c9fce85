extension AsyncThrowingStream where Element == ObjectInfo, Failure == any Error {
    /// A listing that one call finds whole (a folder walk), handed out as a stream and cancelled with its reader.
    public static func found(by find: @escaping @Sendable () async throws -> [ObjectInfo]) -> Self {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for object in try await find() { continuation.yield(object) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
