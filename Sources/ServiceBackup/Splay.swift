import Foundation

/// `splay_seconds`: the fixed delay a daemon adds to each scheduled run, the same on every start for the same
/// identifier (or host name), spread evenly over `[0, splay_seconds)` across a fleet.
public enum Splay {
    /// The delay for `key` (the service identifier, or the host name without one).
    public static func delay(for key: String, within seconds: Double) -> Double {
        guard seconds > 0 else { return 0 }
        // FNV-1a, then MurmurHash3's 64-bit finaliser so every input bit reaches the top bits: stable across
        // processes and releases, unlike Swift's seeded Hasher.
        var hash = StableHash.fnv1a64(key)
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        // The top 53 bits as a fraction in [0, 1): exact in a Double.
        let fraction = Double(hash >> 11) / Double(UInt64(1) << 53)
        return fraction * seconds
    }

    /// This machine's host name.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return ProcessInfo.processInfo.hostName }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
