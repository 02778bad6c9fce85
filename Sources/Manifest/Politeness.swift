/// How a backup keeps out of the way of the service it shares a VM with (`nice`, `ionice`, `splay_seconds`).
/// The defaults change nothing.
public struct Politeness: Sendable, Equatable {
    /// Niceness of the threads doing the upload work (0 to 19); 0 leaves them as the daemon is.
    public var nice: Int = 0
    public var ioPriority: IOPriority = .none
    /// The daemon delays each scheduled run by a share of this; 0 means no delay.
    public var splaySeconds: Double = 0

    public init(nice: Int = 0, ioPriority: IOPriority = .none, splaySeconds: Double = 0) {
        self.nice = nice
        self.ioPriority = ioPriority
        self.splaySeconds = splaySeconds
    }

    /// Whether the upload work runs at a priority other than the daemon's own.
    public var lowersPriority: Bool { nice != 0 || ioPriority != .none }

    static func parse(_ settings: ManifestMap) throws -> Politeness {
        typealias Keys = ManifestSchema.Politeness
        var politeness = Politeness()
        politeness.nice = try settings.integer(Keys.nice, in: Keys.niceRange) ?? 0
        politeness.ioPriority = try settings.string(Keys.ionice).flatMap(IOPriority.init(name:)) ?? .none
        if let splay = try settings.number(Keys.splaySeconds, atLeast: Keys.splayRange.lowerBound, atMost: Keys.splayRange.upperBound) {
            politeness.splaySeconds = splay
        }
        return politeness
    }
}

/// The I/O scheduling class of the upload work, as `ionice` names it.
public enum IOPriority: Sendable, Equatable {
    /// Unchanged: whatever the daemon has.
    case none
    /// Disk time only when no other process wants it.
    case idle
    /// The normal class at a level from 0 (first) to 7 (last).
    case bestEffort(level: Int)

    /// The level `best-effort` without one means: the kernel's default for niceness 0.
    public static let defaultBestEffortLevel = 4

    static let allNames = ["none", "idle", "best-effort"] + (0...7).map { "best-effort:\($0)" }

    public var name: String {
        switch self {
        case .none: "none"
        case .idle: "idle"
        case .bestEffort(let level): "best-effort:\(level)"
        }
    }

    init?(name: String) {
        switch name.lowercased() {
        case "none": self = .none
        case "idle": self = .idle
        case "best-effort": self = .bestEffort(level: Self.defaultBestEffortLevel)
        default:
            let parts = name.lowercased().split(separator: ":")
            guard parts.count == 2, parts[0] == "best-effort", let level = Int(parts[1]), (0...7).contains(level) else {
                return nil
            }
            self = .bestEffort(level: level)
        }
    }
}
