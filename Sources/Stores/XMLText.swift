/// The few values read from the services' small XML documents (`<Code>`, `<UploadId>`, `<Message>`…):
/// a full parser is not needed for them.
enum XMLText {
    static func first(_ tag: String, in document: String) -> String? {
        guard let open = document.range(of: "<\(tag)>"),
              let close = document.range(of: "</\(tag)>", range: open.upperBound..<document.endIndex) else { return nil }
        return unescape(String(document[open.upperBound..<close.lowerBound]))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The text of an XML value: the five named entities and numeric references (`&#34;`, `&#xD;`) decoded in one pass.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named: [Substring: Character] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
        var result = ""
        var rest = text[...]
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let after = rest.index(after: ampersand)
            guard let semicolon = rest[after...].prefix(12).firstIndex(of: ";") else {
                result.append("&")
                rest = rest[after...]
                continue
            }
            let entity = rest[after..<semicolon]
            if let character = named[entity] ?? numeric(entity) {
                result.append(character)
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result.append("&")
                rest = rest[after...]
            }
        }
        return result + rest
    }

    private static func numeric(_ entity: Substring) -> Character? {
        guard entity.hasPrefix("#") else { return nil }
        let digits = entity.dropFirst()
        let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
        return value.flatMap(Unicode.Scalar.init).map(Character.init)
    }

    /// The text of each `<tag>…</tag>` element of `document`, in order (elements of that name must not nest).
    static func elements(_ tag: String, in document: String) -> [String] {
        var found: [String] = []
        var rest = document[...]
        while let open = rest.range(of: "<\(tag)>"), let close = rest.range(of: "</\(tag)>", range: open.upperBound..<rest.endIndex) {
            found.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }
}
