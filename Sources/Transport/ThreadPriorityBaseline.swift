import CLinux

/// The priority a thread had before work lowered it (see ``ThreadPriority``), to give it back afterwards so
/// that a reused thread does not carry one work item's priority into the next.
struct ThreadPriorityBaseline: Sendable, Equatable {
    /// Niceness; nil when it could not be read.
    let nice: Int32?
    /// I/O priority exactly as the kernel reports it; nil when it could not be read.
    let io: Int32?

    static func ofCurrentThread() -> ThreadPriorityBaseline {
        var nice: Int32 = 0
        let io = sb_thread_get_ioprio()
        return ThreadPriorityBaseline(nice: sb_thread_get_nice(&nice) == 0 ? nice : nil, io: io >= 0 ? io : nil)
    }

    /// Gives the calling thread back what `priority.applyToCurrentThread()` took. False when it cannot: raising
    /// niceness again needs privilege (root, CAP_SYS_NICE or RLIMIT_NICE), so an unprivileged thread stays lowered.
    func restore(after priority: ThreadPriority) -> Bool {
        var restored = true
        if priority.nice != 0 {
            var now: Int32 = 0
            if let nice, sb_thread_get_nice(&now) == 0 {
                if now != nice { restored = sb_thread_set_nice(nice) == 0 }
            } else {
                restored = false
            }
        }
        if priority.io != nil {
            if let io {
                if sb_thread_get_ioprio() != io { restored = sb_thread_set_ioprio_value(io) == 0 && restored }
            } else {
                restored = false
            }
        }
        return restored
    }
}

extension ThreadPriority {
    /// True when applying it changes nothing (niceness 0 and no I/O class): work with it runs as work with none.
    var leavesThreadAsIs: Bool { nice == 0 && io == nil }
}

extension ThreadPriority {
    /// The calling thread's own niceness and I/O class, for work it hands to another thread.
    static func ofCurrentThread() -> ThreadPriority? {
        let baseline = ThreadPriorityBaseline.ofCurrentThread()
        let io: IOClass? = switch baseline.io.map({ ($0 >> 13, Int($0 & 0xff)) }) {
        case (3, _)?: .idle
        case (2, let level)?: .bestEffort(level: level)
        default: nil
        }
        let priority = ThreadPriority(nice: Int(baseline.nice ?? 0), io: io)
        return priority.leavesThreadAsIs ? nil : priority
    }
}
