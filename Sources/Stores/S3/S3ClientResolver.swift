import Synchronization

/// The client of a bucket whose region had to be discovered: found once, by the first caller, and kept.
/// Callers arriving meanwhile wait for the same discovery; a failed one is forgotten so the next call tries again.
final class S3ClientResolver: Sendable {
    private let resolved = Mutex<Task<S3Client, any Error>?>(nil)

    func client(_ resolve: @escaping @Sendable () async throws -> S3Client) async throws -> S3Client {
        while true {
            let task = resolved.withLock { current in
                if let current { return current }
                let task = Task { try await resolve() }
                current = task
                return task
            }
            do {
                return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            } catch {
                resolved.withLock { current in if current == task { current = nil } }
                // Another caller's cancellation stopped the discovery: this caller, not cancelled, tries again.
                guard task.isCancelled, !Task.isCancelled else { throw error }
            }
        }
    }
}
