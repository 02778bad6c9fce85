import Foundation
import Storage
import Synchronization

/// What each destination of a run has moved so far, for a progress display: the run registers each
/// destination's transfer observer and, at the end, its outcome; the display reads lines from here.
/// The observer counts each file's bytes as the store's transfers read them to send (its `sentBytes`), each
/// file capped at its size, so a run of one large file moves smoothly and never past its total.
public final class ProgressBoard: Sendable {
    struct Row {
        var label: String
        var observer: TransferObserver?
        var started: ContinuousClock.Instant
        var finished: (outcome: String, at: ContinuousClock.Instant, bytes: Int64)?
    }

    struct State {
        var totalBytes: Int64 = 0
        var rows: [Row] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The run's snapshot: what each destination has to move.
    func begin(totalBytes: Int64) {
        state.withLock { $0.totalBytes = totalBytes }
    }

    /// A destination starts writing; its bytes are counted by `observer`.
    func track(_ label: String, observer: TransferObserver) {
        state.withLock { $0.rows.append(Row(label: label, observer: observer, started: .now)) }
    }

    /// A destination is done: `succeeded`, `failed` or `cancelled`.
    func finish(_ label: String, outcome: String) {
        state.withLock { state in
            guard let index = state.rows.firstIndex(where: { $0.label == label }) else { return }
            let bytes = state.rows[index].observer?.sentBytes ?? 0
            state.rows[index].finished = (outcome, .now, bytes)
        }
    }

    /// One line per destination: `local destination nfs  48.0 MiB / 95.4 MiB  50%  12.3 MiB/s  ETA 4s`.
    public func lines(now: ContinuousClock.Instant = .now) -> [String] {
        state.withLock { state in
            state.rows.map { row in
                let done = min(row.finished?.bytes ?? row.observer?.sentBytes ?? 0, state.totalBytes)
                return Self.line(label: row.label, done: done, total: state.totalBytes,
                                 elapsed: ((row.finished?.at ?? now) - row.started).inSeconds, outcome: row.finished?.outcome)
            }
        }
    }

    static func line(label: String, done: Int64, total: Int64, elapsed: Double, outcome: String?) -> String {
        let shown = label.count > 32 ? String(label.prefix(31)) + "…" : label
        let percent = total > 0 ? min(100, Int(Double(done) * 100 / Double(total))) : (outcome == "succeeded" ? 100 : 0)
        var text = "\(shown)  \(size(done)) / \(size(total))  \(percent)%"
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        if let outcome {
            text += outcome == "succeeded" ? "  done in \(duration(elapsed))" : "  \(outcome)"
        } else {
            text += "  \(size(Int64(rate)))/s"
            if total > 0, done >= total {
                text += "  finishing"
            } else {
                text += rate > 0 ? "  ETA \(duration(Double(total - done) / rate))" : "  ETA -"
            }
        }
        return text
    }

    /// `0 B`, `512 B`, `1.5 KiB`, `95.4 MiB`.
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// `4s`, `2m05s`, `1h02m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let whole = Int(seconds.rounded(.up))
        switch whole {
        case ..<60: return "\(whole)s"
        case ..<3600: return String(format: "%dm%02ds", whole / 60, whole % 60)
        default: return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60)
        }
    }
}
