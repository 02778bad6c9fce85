import Yams

/// The new keys of the `alerts` block: `webhook_url`, `webhook_headers`, `executable`, `on`, `heartbeat_url`.
/// They sit directly under `alerts` in every manifest form, and need no `product_name`.
enum AlertHooksParser {
    typealias Keys = ManifestSchema.Alerts

    static func hooks(in block: ManifestMap?) throws -> AlertHooks {
        guard let block else { return AlertHooks() }
        var hooks = AlertHooks()
        hooks.webhookURL = try block.secret(Keys.webhookURL)
        if let url = hooks.webhookURL { try checkHTTPURL(url, Keys.webhookURL, in: block) }
        hooks.webhookHeaders = try headers(in: block)
        hooks.executable = try block.string(Keys.executable)
        hooks.events = try events(in: block)
        hooks.heartbeatURL = try block.secret(Keys.heartbeatURL)
        if let url = hooks.heartbeatURL { try checkHTTPURL(url, Keys.heartbeatURL, in: block) }
        let delivery = try AlertsParser.delivery(in: block)
        hooks.timeoutSeconds = delivery.timeoutSeconds
        hooks.skipSSLValidation = delivery.skipSSLValidation
        return hooks
    }

    /// `webhook_headers`: a map of header names to values; a value is never shown in an error.
    private static func headers(in block: ManifestMap) throws -> [AlertHeader] {
        guard let map = try block.map(named: Keys.webhookHeaders.name, secret: true) else { return [] }
        return try map.mapping.map { key, value in
            guard let name = key.scalar?.string, isToken(name) else {
                throw ManifestError.value(
                    map.keyPath(key.scalar?.string ?? "?"), "is not a valid HTTP header name", at: map.location(of: key))
            }
            guard case .scalar(let scalar) = value, !value.isNull else {
                throw ManifestError.value(
                    map.keyPath(name), "must be a string, got \(ManifestMap.describe(value, secret: true))",
                    at: map.location(of: value))
            }
            guard !scalar.string.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw ManifestError.value(
                    map.keyPath(name), "must be one line",
                    at: map.location(of: value))
            }
            return AlertHeader(name: name, value: Secret(scalar.string))
        }
    }

    /// `on`: a list of event names (or one name); the default when absent or empty.
    private static func events(in block: ManifestMap) throws -> Set<AlertEvent> {
        guard let (name, node) = block.lookup(Keys.on) else { return AlertHooks.defaultEvents }
        let items: [Node]
        switch node {
        case .sequence(let sequence): items = Array(sequence)
        case .scalar: items = [node]
        default: throw block.typeError(Keys.on, name, node, "must be a list of events")
        }
        var events = Set<AlertEvent>()
        for item in items {
            guard case .scalar(let scalar) = item,
                  let event = AlertEvent(rawValue: scalar.string.trimmingCharacters(in: .whitespaces).lowercased())
            else {
                let allowed = AlertEvent.allCases.map(\.rawValue).joined(separator: ", ")
                throw block.typeError(Keys.on, name, item, "must list events among \(allowed)")
            }
            events.insert(event)
        }
        return events.isEmpty ? AlertHooks.defaultEvents : events
    }

    private static func checkHTTPURL(_ url: Secret, _ key: ManifestKey, in block: ManifestMap) throws {
        let text = url.reveal().lowercased()
        guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
            throw ManifestError.value(
                block.keyPath(key.name), "must be an http:// or https:// URL",
                at: block.location(of: block.node(named: key.name)))
        }
    }

    /// RFC 9110 token characters.
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
        }
    }
}
