import Foundation

/// The hidden name a file is written under until it is complete: `.<name>.partial-<8 hex>`, beside its final name.
public enum TemporaryName {
    static let marker = ".partial-"

    public static func beside(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = ".\((path as NSString).lastPathComponent)\(marker)\(UUID().uuidString.prefix(8).lowercased())"
        return folder.isEmpty ? name : RemotePath.join(folder, name)
    }

    /// Whether `path`'s last component is a name `beside` makes.
    public static func isTemporary(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard name.hasPrefix("."), let range = name.range(of: marker, options: .backwards) else { return false }
        let suffix = name[range.upperBound...]
        return suffix.count == 8 && suffix.allSatisfy(\.isHexDigit)
    }
}

/// Joining remote paths the way every store does.
public enum RemotePath {
    /// `parts` joined by `/`, empty segments and repeated slashes dropped, a leading slash kept if the first part had one.
    public static func join(_ parts: String...) -> String {
        join(parts)
    }

    public static func join(_ parts: [String]) -> String {
        let absolute = parts.first(where: { !$0.isEmpty })?.hasPrefix("/") ?? false
        let segments = parts.flatMap { $0.split(separator: "/", omittingEmptySubsequences: true) }
        return (absolute ? "/" : "") + segments.joined(separator: "/")
    }

    /// A base path as the prefix of every key below it: `base/`, without a leading slash; "" for the root.
    public static func keyPrefix(_ base: String) -> String {
        let trimmed = join(base).drop { $0 == "/" }
        return trimmed.isEmpty ? "" : trimmed + "/"
    }
}
