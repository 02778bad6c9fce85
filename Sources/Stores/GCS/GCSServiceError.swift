import Foundation
import Storage
import Transport

/// An answer of the JSON API (or of the token endpoint) that is not the one asked for. Its text names the
/// operation, the status, the service's reason and message and, for a 403, the IAM permission the
/// operation needs; never a token, an assertion or a key.
struct GCSServiceError: RetryableError, CustomStringConvertible, Sendable {
    let operation: String
    let status: Int
    let reason: String?
    let message: String?
    /// The IAM permission the operation needs and where (`the storage.objects.create permission on bucket b`),
    /// named when it is refused.
    let permission: String?
    /// Who was refused, for a 401 or 403: the service account's e-mail.
    let account: String?

    init(operation: String, response: HTTPResponse, permission: String? = nil, account: String? = nil) {
        self.operation = operation
        self.status = response.status
        self.permission = permission
        self.account = account
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        if let error = object?["error"] as? [String: Any] {
            let first = (error["errors"] as? [[String: Any]])?.first
            self.reason = (first?["reason"] as? String) ?? (error["status"] as? String)
            self.message = error["message"] as? String
        } else if let error = object?["error"] as? String {
            // The token endpoint's OAuth 2.0 form: {"error": "invalid_grant", "error_description": "…"}.
            self.reason = error
            self.message = object?["error_description"] as? String
        } else {
            self.reason = nil
            let text = response.bodyText.split(separator: "\n").first.map(String.init) ?? ""
            self.message = text.count <= 200 && !text.contains("<") ? text : nil
        }
    }

    var isRetryable: Bool { status == 408 || status == 429 || status >= 500 }

    var description: String {
        var text = "gcs: \(operation) failed: HTTP \(status)"
        if let reason { text += " \(reason)" }
        if let message, !message.isEmpty { text += ": \(message)" }
        switch status {
        case 401:
            text += "; the access token of \(account ?? "the service account") was refused"
        case 403 where permission != nil:
            text += "; the service account \(account ?? "") needs \(permission ?? "")"
        default:
            break
        }
        return text
    }
}

extension StoreError {
    /// A failure of a gcs operation as the store throws it: 404 not found, 401 and 403 unauthorized, what a
    /// retry may fix transient, a cancellation cancelled, anything else permanent. The text is kept as is.
    static func gcs(_ error: any Error) -> StoreError {
        guard let error = error as? GCSServiceError else { return StoreError.from(error, prefix: "gcs: ") }
        if error.status == 404 { return StoreError(.notFound, error.description) }
        if error.status == 401 || error.status == 403 { return StoreError(.unauthorized, error.description) }
        return StoreError(error.isRetryable ? .transient : .permanent, error.description)
    }
}
