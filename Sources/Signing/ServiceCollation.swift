/// The order in which Azure Storage sorts canonicalized `x-ms-*` header names: not plain byte order but
/// a two-level culture-style collation. First the names are compared with hyphens and apostrophes ignored
/// (letters case-insensitively, digits before letters, some punctuation before digits); names equal at
/// that level are told apart by where their hyphens and apostrophes sit. For the usual header names this
/// is byte order; it differs when hyphens would decide (`x-ms-blob-type` sorts after `x-ms-blobcache`).
enum ServiceCollation {
    /// The characters that weigh at the first level, lightest first; every other ASCII character is ignored.
    private static let primaryOrder = Array("!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    private static let primaryWeights: [Int] = {
        var weights = [Int](repeating: 0, count: 128)
        for (rank, byte) in primaryOrder.enumerated() {
            weights[Int(byte)] = rank + 2
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) {
                weights[Int(byte - 32)] = rank + 2
            }
        }
        return weights
    }()

    private static func primary(_ byte: UInt8) -> Int {
        byte < 128 ? primaryWeights[Int(byte)] : 0
    }

    private static func secondary(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "'"): 2
        case UInt8(ascii: "-"): 3
        default: 0
        }
    }

    /// Negative when `lhs` sorts first, zero when the service sees them as equal, positive otherwise.
    static func compare(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        return walk(left, right, weight: primary, positionsDecide: false)
            ?? walk(left, right, weight: secondary, positionsDecide: true)
            ?? 0
    }

    /// Compares the characters that weigh at one level, skipping those that weigh nothing; nil when equal.
    /// At the second level, a weighted character standing at another position decides first (later sorts first).
    private static func walk(_ left: [UInt8], _ right: [UInt8], weight: (UInt8) -> Int, positionsDecide: Bool) -> Int? {
        let end = 1
        var i = 0
        var j = 0
        while true {
            if positionsDecide && i != j { return i > j ? -1 : 1 }
            let w1 = i < left.count ? weight(left[i]) : end
            let w2 = j < right.count ? weight(right[j]) : end
            if w1 == end && w2 == end { return nil }
            if w1 == w2 {
                i += 1
                j += 1
            } else if w1 == 0 {
                i += 1
            } else if w2 == 0 {
                j += 1
            } else {
                return w1 < w2 ? -1 : 1
            }
        }
    }
}
