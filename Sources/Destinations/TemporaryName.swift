import Foundation

/// The hidden name a file is written under until it is complete: `.<name>.partial-<8 hex>`, beside its final name.
public enum TemporaryName {
    public static func beside(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = ".\((path as NSString).lastPathComponent).partial-\(UUID().uuidString.prefix(8).lowercased())"
        return folder.isEmpty ? name : RemotePath.join(folder, name)
    }
}
