/// How every error about one `destinations` entry names it, once: `destinations[1] "archive" (s3)`.
public enum DestinationLabel {
    /// `path` is the entry's place (`destinations[1]`, `properties.service-backup.destinations[1]`); the name and
    /// the type are shown when the entry has them.
    public static func text(path: String, name: String?, type: String?) -> String {
        var text = path
        if let name, !name.isEmpty { text += " \"\(name)\"" }
        if let type, !type.isEmpty { text += " (\(type))" }
        return text
    }

    /// A store's own message without its leading type (`azure: container …`, `s3 endpoint_url …`), for a text
    /// that already names the destination with its type.
    public static func withoutTypePrefix(_ message: String, type: String) -> String {
        for prefix in ["\(type): ", "\(type) "] where message.hasPrefix(prefix) {
            return String(message.dropFirst(prefix.count))
        }
        return message
    }
}
