import Foundation

/// The certificates an HTTP client trusts: the system bundle, plus an operator's PEM on top.
enum CABundle {
    /// Where Linux distributions keep their bundle, searched in this order (the same list Go uses).
    static let systemBundlePaths = [
        "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Gentoo
        "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL 6
        "/etc/ssl/ca-bundle.pem",                             // openSUSE
        "/etc/pki/tls/cacert.pem",                            // OpenELEC
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // CentOS, RHEL 7
        "/etc/ssl/cert.pem",                                  // Alpine
    ]

    static func systemBundlePath() -> String? {
        systemBundlePaths.first { FileManager.default.isReadableFile(atPath: $0) }
    }

    /// The PEM bytes to hand libcurl when extra certificates are configured: a CA blob replaces
    /// libcurl's bundle, so the system bundle goes first and the extra certificates after it.
    static func blob(addingPEM extra: String) -> [UInt8] {
        var bytes: [UInt8] = []
        if let path = systemBundlePath(), let system = FileManager.default.contents(atPath: path) {
            bytes.append(contentsOf: system)
            if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        }
        bytes.append(contentsOf: Array(extra.utf8))
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        return bytes
    }
}
