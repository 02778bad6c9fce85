/// One field of a cron expression to bits, following robfig/cron v3's `getField`/`getRange`:
///
///     field = range {"," range}
///     range = ("*" | "?" | value ["-" value]) ["/" step]
///
/// `a/n` means `a-max/n`; text after `*-` is ignored, as robfig does; `*` and `?` keep the star
/// bit only with step 1.
enum FieldParser {
    static func bits(of field: String, within bounds: FieldBounds) throws(CronError) -> FieldBits {
        var bits = FieldBits(rawValue: 0)
        for range in GoSyntax.split(field, on: ",") where !range.isEmpty {
            bits = bits | (try rangeBits(of: range, within: bounds))
        }
        return bits
    }

    static func rangeBits(of range: String, within bounds: FieldBounds) throws(CronError) -> FieldBits {
        let rangeAndStep = GoSyntax.split(range, on: "/")
        let lowAndHigh = GoSyntax.split(rangeAndStep[0], on: "-")
        let isSingleValue = lowAndHigh.count == 1

        var start: UInt64
        var end: UInt64
        var star: UInt64 = 0
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = bounds.lowest
            end = bounds.highest
            star = FieldBits.starBit
        } else {
            start = try value(of: lowAndHigh[0], names: bounds.names)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try value(of: lowAndHigh[1], names: bounds.names)
            default: throw CronError("too many hyphens: \(range)")
            }
        }

        var step: UInt64 = 1
        switch rangeAndStep.count {
        case 1:
            break
        case 2:
            step = try number(from: rangeAndStep[1])
            if isSingleValue { end = bounds.highest }
            if step > 1 { star = 0 }
        default:
            throw CronError("too many slashes: \(range)")
        }

        if start < bounds.lowest {
            throw CronError("beginning of range (\(start)) below minimum (\(bounds.lowest)): \(range)")
        }
        if end > bounds.highest {
            throw CronError("end of range (\(end)) above maximum (\(bounds.highest)): \(range)")
        }
        if start > end {
            throw CronError("beginning of range (\(start)) beyond end of range (\(end)): \(range)")
        }
        if step == 0 {
            throw CronError("step of range should be a positive number: \(range)")
        }
        return FieldBits(rawValue: FieldBits(from: start, through: end, step: step).rawValue | star)
    }

    private static func value(of text: String, names: [String: UInt64]) throws(CronError) -> UInt64 {
        if let named = names[text.lowercased()] { return named }
        return try number(from: text)
    }

    /// robfig's `mustParseInt`: Go's `strconv.Atoi`, then no negatives.
    private static func number(from text: String) throws(CronError) -> UInt64 {
        let parsed: Int64
        do {
            parsed = try GoSyntax.atoi(text)
        } catch {
            throw CronError("failed to parse int from \(text): \(error.description)")
        }
        if parsed < 0 {
            throw CronError("negative number (\(parsed)) not allowed: \(text)")
        }
        return UInt64(parsed)
    }
}
