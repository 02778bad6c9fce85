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

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&#34;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }
}
