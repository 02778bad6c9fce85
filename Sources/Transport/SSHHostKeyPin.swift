import Foundation

/// What an operator pinned a server's host key to: known_hosts lines (with or without the host field,
/// hashed host names too), `SHA256:<base64>` fingerprints, or legacy MD5 `aa:bb:…` fingerprints, one per
/// line, any mix. A server key matching any of them is accepted, unless a `@revoked` line names it.
///
/// The host field of a known_hosts line is not compared with the server's name: the pin belongs to
/// one destination, and operators copy lines taken under other names (IP or DNS, hashed or not).
public struct SSHHostKeyPin: Sendable, Equatable {
    public enum Entry: Sendable, Equatable {
        case key(algorithm: String, blob: [UInt8])
        case sha256(String)
        case md5(String)
    }

    public var entries: [Entry]
    public var revoked: [[UInt8]]

    /// Parses the manifest's `fingerprint` text; throws naming what it could not read.
    public init(_ text: String) throws {
        entries = []
        revoked = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            try parse(line)
        }
        guard !entries.isEmpty else {
            throw SSHError(.key, "fingerprint holds no known_hosts line, SHA256:… or MD5 aa:bb:… fingerprint")
        }
    }

    private mutating func parse(_ line: String) throws {
        if line.hasPrefix("SHA256:") {
            let base64 = line.dropFirst("SHA256:".count).trimmingCharacters(in: CharacterSet(charactersIn: "= "))
            guard !base64.isEmpty, Self.decodeBase64(base64)?.count == 32 else {
                throw SSHError(.key, "fingerprint \(line) is not a SHA256 fingerprint of 32 bytes")
            }
            entries.append(.sha256("SHA256:" + base64))
            return
        }
        let md5 = line.hasPrefix("MD5:") ? String(line.dropFirst(4)) : line
        if Self.isMD5(md5) {
            entries.append(.md5(md5.lowercased()))
            return
        }
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var isRevoked = false
        if let marker = fields.first, marker.hasPrefix("@") {
            fields.removeFirst()
            switch marker {
            case "@revoked": isRevoked = true
            case "@cert-authority": return  // certificates are not used here; such a line pins nothing
            default: throw SSHError(.key, "fingerprint line has an unknown marker \(marker)")
            }
        }
        guard let typeIndex = fields.prefix(2).firstIndex(where: Self.isKeyAlgorithm),
              typeIndex + 1 < fields.count,
              let blob = Self.decodeBase64(fields[typeIndex + 1]) else {
            throw SSHError(.key, "fingerprint line is neither a known_hosts line, SHA256:… nor an MD5 fingerprint")
        }
        let key = SSHHostKey(blob: blob)
        guard key.algorithm == fields[typeIndex] else {
            throw SSHError(.key, "fingerprint line's key says \(key.algorithm) but the line says \(fields[typeIndex])")
        }
        if isRevoked {
            revoked.append(blob)
        } else {
            entries.append(.key(algorithm: fields[typeIndex], blob: blob))
        }
    }

    /// Whether `key` is the pinned one.
    public func accepts(_ key: SSHHostKey) -> Bool {
        if revoked.contains(key.blob) { return false }
        return entries.contains { entry in
            switch entry {
            case .key(_, let blob): blob == key.blob
            case .sha256(let fingerprint): fingerprint == key.sha256Fingerprint
            case .md5(let fingerprint): fingerprint == key.md5Fingerprint
            }
        }
    }

    /// The host key algorithms named by known_hosts lines, to ask the server for those first.
    public var algorithms: [String] {
        var seen: [String] = []
        for case .key(let algorithm, _) in entries where !seen.contains(algorithm) { seen.append(algorithm) }
        return seen
    }

    /// The pinned fingerprints as operators read them (SHA256 where known).
    public var expectedFingerprints: [String] {
        entries.map { entry in
            switch entry {
            case .key(_, let blob): SSHHostKey(blob: blob).sha256Fingerprint
            case .sha256(let fingerprint): fingerprint
            case .md5(let fingerprint): "MD5:" + fingerprint
            }
        }
    }

    static func isKeyAlgorithm(_ field: String) -> Bool {
        ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-", "rsa-sha2-"].contains { field.hasPrefix($0) }
    }

    static func isMD5(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 16 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    static func decodeBase64(_ text: String) -> [UInt8]? {
        var padded = text
        while padded.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map { Array($0) }
    }
}
