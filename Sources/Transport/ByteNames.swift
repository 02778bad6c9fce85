import Foundation

/// How names that are not UTF-8 live in keys, which are text. Each `/`-separated component that is not
/// UTF-8 is written with every stray byte and every `%` as `%XX`; every other component stays as it is.
/// Stores that hold any bytes (local folders, SSH servers) turn such a component back into its exact
/// bytes; stores that need UTF-8 keys (S3, Azure) keep the text. The run manifest keeps the exact bytes.
///
/// One name is told apart by its text alone: a UTF-8 name whose `%XX` sequences would decode to bytes that
/// are not UTF-8 (say `100%FF`) is stored under those bytes too; it still lists, verifies and restores as
/// itself, only its name on the store differs.
public enum ByteNames {
    /// `bytes` (a path) as key text.
    public static func text(_ bytes: [UInt8]) -> String {
        bytes.split(separator: 0x2F, omittingEmptySubsequences: false).map { component in
            if let text = String(validating: component, as: UTF8.self) { return text }
            return escaped(Array(component))
        }.joined(separator: "/")
    }

    /// The bytes `path` (key text, or a path holding keys) names on a store that holds any bytes.
    public static func bytes(_ path: String) -> [UInt8] {
        guard path.contains("%") else { return Array(path.utf8) }
        var result: [UInt8] = []
        for (index, component) in path.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { result.append(0x2F) }
            let decoded = decoded(Array(component.utf8))
            result += String(validating: decoded, as: UTF8.self) == nil ? decoded : Array(component.utf8)
        }
        return result
    }

    /// Calls `body` with `bytes(path)` as a NUL-terminated C string and its length.
    public static func withCPath<T>(_ path: String, _ body: (UnsafePointer<CChar>, Int) throws -> T) rethrows -> T {
        let bytes = bytes(path)
        return try DirectoryWalk.withCString(bytes) { try body($0, bytes.count) }
    }

    /// UTF-8 kept, every other byte and every `%` as `%XX`.
    static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        var rest = bytes[...]
        while let first = rest.first {
            // The longest valid UTF-8 prefix (at most 4 bytes per scalar) is kept as it is.
            if first != 0x25,
               let length = (1...min(4, rest.count)).first(where: { String(validating: rest.prefix($0), as: UTF8.self) != nil }) {
                text += String(decoding: rest.prefix(length), as: UTF8.self)
                rest = rest.dropFirst(length)
            } else {
                text += String(format: "%%%02X", first)
                rest = rest.dropFirst()
            }
        }
        return text
    }

    /// Every `%XX` (two hex digits) as its byte; a `%` without them stays.
    static func decoded(_ text: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < text.count {
            if text[index] == 0x25, index + 2 < text.count,
               let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2]) {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
