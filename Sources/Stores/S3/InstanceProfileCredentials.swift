import Foundation
import Signing
import Synchronization

/// The instance profile's temporary credentials, fetched from the instance metadata service when first
/// needed and fetched again `refreshMargin` before they expire. Callers arriving during a fetch wait for
/// the same one. When a refresh fails, keys that have not yet expired are still used; expired ones never are.
final class InstanceProfileCredentials: S3CredentialProvider {
    /// AWS's SDKs refresh instance credentials minutes ahead of expiry; the service issues new ones well before.
    static let refreshMargin: TimeInterval = 300
    /// Credential texts kept for redaction: those of the last few fetches.
    static let remembered = 12

    private struct State {
        var current: (credentials: SigV4Credentials, expiration: Date)?
        var fetch: Task<(credentials: SigV4Credentials, expiration: Date), any Error>?
        /// The key pairs and tokens handed out lately, for redaction.
        var issued: [String] = []
    }

    private let metadata: InstanceMetadataClient
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    init(metadata: InstanceMetadataClient, now: @escaping @Sendable () -> Date = Date.init) {
        self.metadata = metadata
        self.now = now
    }

    func credentials() async throws -> SigV4Credentials {
        enum Next { case use(SigV4Credentials), wait(Task<(credentials: SigV4Credentials, expiration: Date), any Error>) }
        let moment = now()
        let next: Next = state.withLock { state in
            if let current = state.current, moment < current.expiration.addingTimeInterval(-Self.refreshMargin) {
                return .use(current.credentials)
            }
            if let fetch = state.fetch { return .wait(fetch) }
            let metadata = metadata
            let fetch = Task { try await metadata.roleCredentials() }
            state.fetch = fetch
            return .wait(fetch)
        }
        let fetch: Task<(credentials: SigV4Credentials, expiration: Date), any Error>
        switch next {
        case .use(let credentials): return credentials
        case .wait(let task): fetch = task
        }
        do {
            let fetched = try await fetch.value
            state.withLock { state in
                if state.fetch == fetch {
                    state.fetch = nil
                    state.current = fetched
                    state.issued = Array((state.issued + fetched.credentials.secrets).suffix(Self.remembered))
                }
            }
            return fetched.credentials
        } catch {
            let stillValid: SigV4Credentials? = state.withLock { state in
                if state.fetch == fetch { state.fetch = nil }
                guard let current = state.current, now() < current.expiration else { return nil }
                return current.credentials
            }
            if let stillValid, !(error is CancellationError) { return stillValid }
            throw error
        }
    }

    var secrets: [String] { state.withLock { $0.issued } }
}
