import Manifest
import Transport

extension Politeness {
    /// The priority of the threads doing a run's upload work; nil when the settings leave it unchanged.
    var uploadThreadPriority: ThreadPriority? {
        guard lowersPriority else { return nil }
        let io: ThreadPriority.IOClass? = switch ioPriority {
        case .none: nil
        case .idle: .idle
        case .bestEffort(let level): .bestEffort(level: level)
        }
        return ThreadPriority(nice: nice, io: io)
    }
}
