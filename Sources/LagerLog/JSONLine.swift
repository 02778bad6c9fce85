import Logging

/// Builds one JSON object as text, fields in the order they are added.
struct JSONLine {
    private var text = "{"
    private var first = true

    mutating func field(_ name: String, string value: String) {
        field(name, raw: Self.quoted(value))
    }

    mutating func field(_ name: String, raw value: String) {
        if !first { text += "," }
        first = false
        text += Self.quoted(name) + ":" + value
    }

    func finish() -> String { text + "}" }

    /// Metadata as a JSON object, keys sorted. Numbers and booleans given as `.stringConvertible` stay JSON numbers and booleans.
    static func object(_ metadata: Logger.Metadata) -> String {
        var line = JSONLine()
        for key in metadata.keys.sorted() {
            line.field(key, raw: value(metadata[key]!))
        }
        return line.finish()
    }

    static func value(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text):
            return quoted(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: return String(number)
            case let number as Int64: return String(number)
            case let number as UInt64: return String(number)
            case let number as Double where number.isFinite: return String(number)
            case let flag as Bool: return flag ? "true" : "false"
            default: return quoted(convertible.description)
            }
        case .array(let values):
            return "[" + values.map(Self.value).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return object(dictionary)
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
