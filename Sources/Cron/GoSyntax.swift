/// The few pieces of Go's standard library whose exact behaviour (and error wording) robfig/cron
/// inherits: `strings.Split`, `strings.Fields`, `strconv.Atoi`, `strconv.Quote`, `%s` of a
/// `[]string`.
enum GoSyntax {
    /// `strings.Split(text, separator)` for an ASCII separator: empty pieces kept, never no piece.
    static func split(_ text: String, on separator: Unicode.Scalar) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == separator {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        pieces.append(String(current))
        return pieces
    }

    /// `strings.Fields`: the runs of non-white-space.
    static func fields(_ text: String) -> [String] {
        var fields: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { fields.append(String(current)) }
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { fields.append(String(current)) }
        return fields
    }

    /// How Go's `%s` prints a `[]string`: `[a b c]`.
    static func list(_ strings: [String]) -> String {
        "[" + strings.joined(separator: " ") + "]"
    }

    /// A `strconv.Atoi` failure, worded as Go's `*strconv.NumError`.
    struct NumberError: Error, CustomStringConvertible {
        let input: String
        let reason: String
        var description: String { "strconv.Atoi: parsing \(quote(input)): \(reason)" }
    }

    /// `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits only.
    static func atoi(_ text: String) throws(NumberError) -> Int64 {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { throw NumberError(input: text, reason: "invalid syntax") }
        var magnitude: UInt64 = 0
        for byte in bytes[index...] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw NumberError(input: text, reason: "invalid syntax")
            }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { throw NumberError(input: text, reason: "value out of range") }
            magnitude = sum
        }
        let limit: UInt64 = 1 << 63
        if negative {
            guard magnitude <= limit else { throw NumberError(input: text, reason: "value out of range") }
            return magnitude == limit ? Int64.min : -Int64(magnitude)
        }
        guard magnitude < limit else { throw NumberError(input: text, reason: "value out of range") }
        return Int64(magnitude)
    }

    /// `strconv.Quote`: double-quoted, Go escapes for what is not printable.
    static func quote(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\u{07}": quoted += "\\a"
            case "\u{08}": quoted += "\\b"
            case "\u{0C}": quoted += "\\f"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case "\u{0B}": quoted += "\\v"
            default:
                if isPrintable(scalar) {
                    quoted.unicodeScalars.append(scalar)
                } else if scalar.value < 0x80 {
                    quoted += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    quoted += "\\u" + hex(scalar.value, width: 4)
                } else {
                    quoted += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return quoted + "\""
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x20 && scalar.value < 0x7F }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
