import Storage
import Transport

/// What an error thrown inside the S3 store becomes outside it: a `StoreError` of the right kind whose
/// text names no credential.
enum S3Failure {
    static func storeError(_ error: any Error, redacting secrets: [String]) -> StoreError {
        let message = redacted("\(error)", secrets)
        if let error = error as? StoreError { return StoreError(error.kind, message) }
        if error is CancellationError || Task.isCancelled { return StoreError(.cancelled, message) }
        switch error {
        case let error as TransportError:
            return StoreError(error.kind == .cancelled ? .cancelled : error.isRetryable ? .transient : .permanent, message)
        case let error as S3Error:
            return StoreError(kind(of: error), message)
        default:
            return StoreError(.permanent, message)
        }
    }

    static func kind(of error: S3Error) -> StoreError.Kind {
        switch error.code {
        case "NoSuchKey", "NoSuchBucket":
            return .notFound
        case "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken", "ExpiredToken":
            return .unauthorized
        default:
            if error.status == 404 { return .notFound }
            if error.status == 403 { return .unauthorized }
            return error.isRetryable ? .transient : .permanent
        }
    }

    /// A last guard: no credential text in an error shown to operators.
    static func redacted(_ text: String, _ secrets: [String]) -> String {
        var text = text
        for secret in secrets where secret.count >= 4 {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return text
    }
}
