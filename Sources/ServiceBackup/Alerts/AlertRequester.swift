import Foundation
import Logging
import Transport

/// A request of an alert that failed for good.
struct AlertRequestError: Error, CustomStringConvertible {
    var description: String
}

/// Sends the requests of an alert the way the original's retrying client did: a request that gets no
/// answer (a refused or lost connection, a timeout), a 5xx, or the router's `404 unknown_route` is tried
/// again after ``AlertBackoff``'s pause; any other answer than `accepts`, and a TLS failure, fail at once. Texts name the request by its label, never a credential.
struct AlertRequester: Sendable {
    let client: HTTPClient
    let backoff: AlertBackoff
    let logger: Logger

    /// Sends `request`, retrying; returns the answer whose status `accepts`.
    func send(
        _ label: String, _ request: HTTPRequest, accepts: @Sendable (Int) -> Bool = { $0 == 200 }
    ) async throws -> HTTPResponse {
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 1
        while true {
            let failure: String
            do {
                let response = try await client.send(request)
                if Self.isRetryable(response) {
                    failure = Self.unexpected(label, response)
                } else if accepts(response.status) {
                    return response
                } else {
                    throw AlertRequestError(description: Self.unexpected(label, response))
                }
            } catch let error as TransportError where error.kind != .cancelled {
                // A certificate that fails verification will not pass on a second try: no retry.
                guard error.isRetryable else { throw AlertRequestError(description: "\(label) request failed: \(error.message)") }
                failure = error.message
            }
            try Task.checkCancellation()
            guard let pause = backoff.pause(afterAttempt: attempt, elapsed: clock.now - start) else {
                logger.info("Giving up, alert request failed", metadata: ["request": .string(label), "error": .string(failure)])
                throw AlertRequestError(description: failure)
            }
            logger.info("Retrying alert request", metadata: [
                "request": .string(label), "error": .string(failure),
                "retry_in_seconds": .stringConvertible(Int(pause.inSeconds)),
            ])
            try await Task.sleep(for: pause)
            attempt += 1
        }
    }

    /// A 5xx, or the Cloud Foundry router saying the route is unknown.
    static func isRetryable(_ response: HTTPResponse) -> Bool {
        response.status >= 500 || (response.status == 404 && response.header("X-Cf-Routererror") == "unknown_route")
    }

    /// `<label> expected to return HTTP 200, got 502. Body: …` (the body cut short).
    static func unexpected(_ label: String, _ response: HTTPResponse) -> String {
        let body = response.bodyText
        let shown = body.count > 512 ? String(body.prefix(512)) + "…" : body
        return "\(label) expected to return HTTP 200, got \(response.status). Body: \(shown)"
    }
}

extension HTTPClient {
    /// A client for alert requests: the original's 30 s per request, its TLS setting.
    static func forAlerts(skipTLSVerification: Bool, timeoutSeconds: Int) -> HTTPClient {
        let perRequest = Duration.seconds(min(30, max(1, timeoutSeconds)))
        return HTTPClient(options: HTTPClientOptions(
            skipTLSVerification: skipTLSVerification, connectTimeout: perRequest, stallTimeout: perRequest))
    }
}
