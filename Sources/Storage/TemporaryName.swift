import Foundation

/// The hidden name a file is written under until it is complete: `.sb-partial-<16 hex>`, beside its final name.
/// Its length does not depend on the final name's, so a file whose name is as long as the file system allows can
/// still be written; the fixed prefix lets crash hygiene find what a killed run left behind.
public enum TemporaryName {
    static let prefix = ".sb-partial-"
    /// The form earlier versions wrote, `.<name>.partial-<8 hex>`: still recognised, so it is still swept.
    static let legacyMarker = ".partial-"

    public static func beside(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        var random = SystemRandomNumberGenerator()
        let name = prefix + String(format: "%016llx", random.next() as UInt64)
        return folder.isEmpty ? name : RemotePath.join(folder, name)
    }

    /// Whether `path`'s last component is a name `beside` makes (or made in earlier versions).
    public static func isTemporary(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasPrefix(prefix) {
            let suffix = name.dropFirst(prefix.count)
            return suffix.count == 16 && suffix.allSatisfy(\.isHexDigit)
        }
        guard name.hasPrefix("."), let range = name.range(of: legacyMarker, options: .backwards) else { return false }
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
