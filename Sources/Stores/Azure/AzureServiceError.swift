import Foundation
import Storage
import Transport

/// An answer of the blob service that is not the one asked for. Its text names the operation, the blob,
/// the status and the service's error code and message; never the key, a signature, or the string the
/// service says it signed (a 403's `AuthenticationErrorDetail` echoes the signature, so it is not kept).
struct AzureServiceError: RetryableError, CustomStringConvertible, Sendable {
    enum AuthenticationProblem: Sendable, Equatable {
        case badKey, clockSkew
    }

    let operation: String
    let status: Int
    let code: String?
    let message: String?
    let authentication: AuthenticationProblem?
    /// The request carried a shared access signature rather than a SharedKey signature.
    let sas: Bool

    init(operation: String, response: HTTPResponse, sas: Bool = false) {
        self.operation = operation
        self.sas = sas
        self.status = response.status
        let body = response.bodyText
        let code = response.header("x-ms-error-code") ?? XMLText.first("Code", in: body)
        self.code = code
        // The first line only: the rest is RequestId and Time.
        self.message = XMLText.first("Message", in: body).flatMap {
            $0.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        if response.status == 403, code == nil || code == "AuthenticationFailed" || sas {
            let detail = XMLText.first("AuthenticationErrorDetail", in: body) ?? ""
            let skewed = detail.contains("Request date header too old") || detail.contains("in the future")
            self.authentication = skewed ? .clockSkew : .badKey
        } else {
            self.authentication = nil
        }
    }

    var isRetryable: Bool {
        if authentication != nil { return false }
        switch code {
        case "ServerBusy", "OperationTimedOut", "InternalError": return true
        default: return status == 408 || status == 429 || status >= 500
        }
    }

    var description: String {
        switch authentication {
        case .clockSkew:
            return "azure: \(operation) was refused (HTTP 403 AuthenticationFailed): the request date is more than "
                + "15 minutes away from the storage service's clock; check this machine's clock (NTP)"
        case .badKey where sas:
            return "azure: \(operation) was refused (HTTP 403 \(code ?? "AuthenticationFailed")): the service did not accept "
                + "the shared access signature; check sas_token (its signature, permissions, start and expiry times) and storage_account"
        case .badKey:
            return "azure: \(operation) was refused (HTTP 403 AuthenticationFailed): the service did not accept "
                + "the request signature; check storage_account and storage_access_key"
        case nil:
            var text = "azure: \(operation) failed: HTTP \(status)"
            if let code { text += " \(code)" }
            if let message, !message.isEmpty { text += ": \(message)" }
            return text
        }
    }
}

extension StoreError {
    /// A failure of an azure operation as the store throws it: 404 not found, 403 unauthorized, what a retry
    /// may fix transient, a cancellation cancelled, anything else permanent. The text is kept as is.
    static func azure(_ error: any Error) -> StoreError {
        guard let error = error as? AzureServiceError else { return StoreError.from(error) }
        if error.status == 404 { return StoreError(.notFound, error.description) }
        if error.authentication != nil || error.status == 403 { return StoreError(.unauthorized, error.description) }
        return StoreError(error.isRetryable ? .transient : .permanent, error.description)
    }
}
