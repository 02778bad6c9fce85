import Foundation
import Storage
import Transport

extension S3Store {
    /// The `Date` of the endpoint's answer to a HEAD of the bucket, even a refusal: a skewed clock makes
    /// every signed request fail, and this still tells by how much.
    public func serverClock() async throws -> Date? {
        do {
            let client = try makeClient(region: configuredRegion ?? "us-east-1")
            let keys = try await client.credentials.credentials()
            let response = try await http.send(
                client.request(for: .init(name: "clock check", method: "HEAD", key: nil), signedWith: keys))
            return response.header("date").flatMap(HTTPDate.parse)
        } catch {
            throw storeError(error)
        }
    }
}
