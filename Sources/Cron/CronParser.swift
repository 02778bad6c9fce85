import Foundation

/// robfig/cron v3's `Parser.Parse` with options
/// `SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor`.
enum CronParser {
    enum Parsed: Equatable, Sendable {
        case spec(SpecSchedule)
        case every(EverySchedule)
    }

    static func parse(
        _ expression: String, defaultTimeZone: TimeZone
    ) throws(CronError) -> (schedule: Parsed, timeZone: TimeZone) {
        if expression.isEmpty { throw CronError("empty spec string") }

        var spec = expression
        var timeZone = defaultTimeZone
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
            guard let space = spec.firstIndex(of: " ") else {
                // robfig itself crashes here (it slices up to a missing space).
                throw CronError("missing schedule after time zone: \(expression)")
            }
            let equals = spec.firstIndex(of: "=")!
            let name = String(spec[spec.index(after: equals)..<space])
            timeZone = try TimeZoneName.load(name, local: defaultTimeZone)
            spec = String(spec[space...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        if spec.hasPrefix("@") {
            return (try descriptor(spec), timeZone)
        }

        var fields = GoSyntax.fields(spec)
        guard fields.count == 5 || fields.count == 6 else {
            throw CronError("expected 5 to 6 fields, found \(fields.count): \(GoSyntax.list(fields))")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }

        let schedule = SpecSchedule(
            second: try FieldParser.bits(of: fields[0], within: .second),
            minute: try FieldParser.bits(of: fields[1], within: .minute),
            hour: try FieldParser.bits(of: fields[2], within: .hour),
            dayOfMonth: try FieldParser.bits(of: fields[3], within: .dayOfMonth),
            month: try FieldParser.bits(of: fields[4], within: .month),
            dayOfWeek: try FieldParser.bits(of: fields[5], within: .dayOfWeek)
        )
        return (.spec(schedule), timeZone)
    }

    private static func descriptor(_ spec: String) throws(CronError) -> Parsed {
        let midnight = FieldBits.only(0)
        switch spec {
        case "@yearly", "@annually":
            return .spec(SpecSchedule(
                second: midnight, minute: midnight, hour: midnight,
                dayOfMonth: .only(1), month: .only(1), dayOfWeek: .all(.dayOfWeek)
            ))
        case "@monthly":
            return .spec(SpecSchedule(
                second: midnight, minute: midnight, hour: midnight,
                dayOfMonth: .only(1), month: .all(.month), dayOfWeek: .all(.dayOfWeek)
            ))
        case "@weekly":
            return .spec(SpecSchedule(
                second: midnight, minute: midnight, hour: midnight,
                dayOfMonth: .all(.dayOfMonth), month: .all(.month), dayOfWeek: .only(0)
            ))
        case "@daily", "@midnight":
            return .spec(SpecSchedule(
                second: midnight, minute: midnight, hour: midnight,
                dayOfMonth: .all(.dayOfMonth), month: .all(.month), dayOfWeek: .all(.dayOfWeek)
            ))
        case "@hourly":
            return .spec(SpecSchedule(
                second: midnight, minute: midnight, hour: .all(.hour),
                dayOfMonth: .all(.dayOfMonth), month: .all(.month), dayOfWeek: .all(.dayOfWeek)
            ))
        default:
            break
        }
        let every = "@every ".utf8
        if spec.utf8.starts(with: every) {
            do {
                let nanoseconds = try GoDuration.parse(String(decoding: spec.utf8.dropFirst(every.count), as: UTF8.self))
                return .every(EverySchedule(nanoseconds: nanoseconds))
            } catch {
                throw CronError("failed to parse duration \(spec): \(error.description)")
            }
        }
        throw CronError("unrecognized descriptor: \(spec)")
    }
}
