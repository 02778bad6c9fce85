/// The values one cron field allows, one bit per value, plus robfig's "star" bit (bit 63) that
/// records a field written as `*` or `?` (optionally with step 1). The star bit decides whether
/// day of month and day of week combine with AND (either starred) or OR (both restricted).
struct FieldBits: Equatable, Sendable {
    var rawValue: UInt64

    static let starBit: UInt64 = 1 << 63

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Every value from `lowest` to `highest`, stepping by `step` (≥ 1).
    init(from lowest: UInt64, through highest: UInt64, step: UInt64) {
        var bits: UInt64 = 0
        var value = lowest
        while value <= highest {
            bits |= 1 << value
            let (next, overflow) = value.addingReportingOverflow(step)
            if overflow { break }
            value = next
        }
        rawValue = bits
    }

    /// Every value of `bounds`, marked as a star: robfig's `all(bounds)`.
    static func all(_ bounds: FieldBounds) -> FieldBits {
        FieldBits(rawValue: FieldBits(from: bounds.lowest, through: bounds.highest, step: 1).rawValue | starBit)
    }

    static func only(_ value: UInt64) -> FieldBits {
        FieldBits(rawValue: 1 << value)
    }

    func contains(_ value: Int64) -> Bool {
        value >= 0 && value < 63 && rawValue & (1 << UInt64(value)) != 0
    }

    var isStarred: Bool { rawValue & Self.starBit != 0 }

    /// No value at all (a field such as `,`): nothing can ever match.
    var isEmpty: Bool { rawValue & ~Self.starBit == 0 }

    static func | (left: FieldBits, right: FieldBits) -> FieldBits {
        FieldBits(rawValue: left.rawValue | right.rawValue)
    }
}

/// The range and names of one cron field.
struct FieldBounds: Sendable {
    let lowest: UInt64
    let highest: UInt64
    let names: [String: UInt64]

    static let second = FieldBounds(lowest: 0, highest: 59, names: [:])
    static let minute = FieldBounds(lowest: 0, highest: 59, names: [:])
    static let hour = FieldBounds(lowest: 0, highest: 23, names: [:])
    static let dayOfMonth = FieldBounds(lowest: 1, highest: 31, names: [:])
    static let month = FieldBounds(lowest: 1, highest: 12, names: [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ])
    static let dayOfWeek = FieldBounds(lowest: 0, highest: 6, names: [
        "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
    ])
}
