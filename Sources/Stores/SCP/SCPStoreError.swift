import Storage
import Transport

extension SCPStore {
    /// `error` as the store's error, its text kept: a dropped or timed-out connection is transient, a refused
    /// key or host key unauthorized, a missing file not found, a cancellation cancelled; the rest permanent.
    static func storeError(_ error: any Error) -> StoreError {
        guard let error = error as? SSHError else { return StoreError.from(error) }
        if error.noSuchFile { return StoreError(.notFound, error.message) }
        let kind: StoreError.Kind = switch error.kind {
        case .connection: .transient
        case .hostKeyMismatch, .authentication: .unauthorized
        case .cancelled: .cancelled
        case .key, .remote, .local: .permanent
        }
        return StoreError(kind, error.message)
    }
}
