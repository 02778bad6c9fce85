public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Throws when this answer lacks, or has empty, one of `names`: headers its protocol puts on every such answer.
    /// libcurl takes an answer cut off inside its header block for a whole one, so such an answer was cut off on its
    /// way, and is retried like a reset connection. `what` names the request in the error.
    public func requireHeaders(_ names: [String], answering what: String) throws {
        if let missing = names.first(where: { header($0)?.isEmpty ?? true }) {
            throw TransportError.cutOff(what, missing: "\(missing) header")
        }
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
