/// Go's `time.ParseDuration`, to nanoseconds, with Go's error texts:
/// a signed sequence of decimal numbers, each with an optional fraction and a unit
/// (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), such as `300ms`, `-1.5h`, `2h45m`.
enum GoDuration {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    private static let units: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000, // micro sign
        "\u{03BC}s": 1_000, // Greek small letter mu
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    static func parse(_ text: String) throws(ParseError) -> Int64 {
        let original = text
        let invalid = ParseError(description: "time: invalid duration " + quote(original))
        var rest = text.utf8[...]
        var total: UInt64 = 0
        var negative = false

        if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        if rest.elementsEqual("0".utf8) { return 0 }
        if rest.isEmpty { throw invalid }

        while let first = rest.first {
            guard first == UInt8(ascii: ".") || isDigit(first) else { throw invalid }

            // Whole part.
            var whole: UInt64 = 0
            var consumedWhole = false
            while let byte = rest.first, isDigit(byte) {
                if whole > (1 << 63) / 10 { throw invalid }
                whole = whole * 10 + UInt64(byte - UInt8(ascii: "0"))
                if whole > 1 << 63 { throw invalid }
                rest = rest.dropFirst()
                consumedWhole = true
            }

            // Fraction: keeps the digits that fit, ignores the rest.
            var fraction: UInt64 = 0
            var scale = 1.0
            var consumedFraction = false
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                var overflowed = false
                while let byte = rest.first, isDigit(byte) {
                    rest = rest.dropFirst()
                    consumedFraction = true
                    if overflowed { continue }
                    if fraction > ((1 << 63) - 1) / 10 {
                        overflowed = true
                        continue
                    }
                    let next = fraction * 10 + UInt64(byte - UInt8(ascii: "0"))
                    if next > 1 << 63 {
                        overflowed = true
                        continue
                    }
                    fraction = next
                    scale *= 10
                }
            }
            if !consumedWhole && !consumedFraction { throw invalid }

            // Unit: everything up to the next digit or dot.
            var unitBytes: [UInt8] = []
            while let byte = rest.first, byte != UInt8(ascii: "."), !isDigit(byte) {
                unitBytes.append(byte)
                rest = rest.dropFirst()
            }
            if unitBytes.isEmpty {
                throw ParseError(description: "time: missing unit in duration " + quote(original))
            }
            let unitName = String(decoding: unitBytes, as: UTF8.self)
            guard let unit = units[unitName] else {
                throw ParseError(
                    description: "time: unknown unit " + quote(unitName) + " in duration " + quote(original)
                )
            }
            if whole > (1 << 63) / unit { throw invalid }
            var value = whole * unit
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                if value > 1 << 63 { throw invalid }
            }
            let (sum, overflow) = total.addingReportingOverflow(value)
            if overflow || sum > 1 << 63 { throw invalid }
            total = sum
        }
        if negative { return total == 1 << 63 ? Int64.min : -Int64(total) }
        if total > (1 << 63) - 1 { throw invalid }
        return Int64(total)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The `time` package's own quoting: bytes outside printable ASCII as `\xNN`.
    static func quote(_ text: String) -> String {
        var quoted = "\""
        for byte in text.utf8 {
            if byte >= 0x80 || byte < 0x20 {
                quoted += "\\x" + GoSyntax.hex(UInt32(byte), width: 2)
            } else {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoted += "\\" }
                quoted.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return quoted + "\""
    }
}
