import Foundation
import Storage
import Transport

extension AzureStore {
    /// The `Date` of the service's answer to an unsigned request for the container's properties (a refusal,
    /// as a rule): no credential is needed to read the server's clock.
    public func serverClock() async throws -> Date? {
        do {
            let url = client.endpoint.containerURL(client.container, query: "restype=container")
            return try await http.send(HTTPRequest(method: "HEAD", url: url)).header("date").flatMap(HTTPDate.parse)
        } catch {
            throw StoreError.azure(error)
        }
    }
}
