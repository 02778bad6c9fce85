import Foundation

/// Sizes of parts and blocks (`part_size`, `block_size`).
///
/// A size is either a whole number of bytes (`8388608`) or a string of a number and a unit:
/// `B`, `K`/`KB`/`KiB`, `M`/`MB`/`MiB`, `G`/`GB`/`GiB`, `T`/`TB`/`TiB`, in any case, with or without a space.
/// Every unit is a power of 1024, as the AWS CLI reads `multipart_chunksize = 64MB`: `64MB`, `64MiB`
/// and `64M` are all 67108864 bytes. A fraction is allowed when the result is whole bytes (`1.5GiB`).
public enum ByteSize {
    /// The bytes `text` stands for, or nil when it is not a size.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = trimmed[..<numberEnd]
        let unit = trimmed[numberEnd...].trimmingCharacters(in: .whitespaces).lowercased()
        guard !number.isEmpty, number.first != ".", number.last != ".",
              number.filter({ $0 == "." }).count <= 1,
              let multiplier = multipliers[unit] else { return nil }
        if let whole = Int64(number) {
            let (bytes, overflow) = whole.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : bytes
        }
        guard let value = Double(number) else { return nil }
        let bytes = value * Double(multiplier)
        guard bytes < 9.0e18, bytes == bytes.rounded(.down) else { return nil }
        return Int64(bytes)
    }

    /// `bytes` in the largest binary unit that divides it: `64MiB`, `5GiB`, `1000B`.
    public static func format(_ bytes: Int64) -> String {
        for (unit, size) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes != 0 && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)B"
    }

    private static let multipliers: [String: Int64] = {
        var table: [String: Int64] = ["": 1, "b": 1]
        for (index, letter) in ["k", "m", "g", "t"].enumerated() {
            let size = Int64(1) << (10 * (index + 1))
            table[letter] = size
            table[letter + "b"] = size
            table[letter + "ib"] = size
        }
        return table
    }()
}
