import CLinux

/// Holds back the bytes blocking work reads to send, so that all the transfers sharing one pacer together
/// keep its rate. Called on the work's own thread (never on the Swift concurrency pool): it may block.
public protocol TransferPacer: Sendable {
    /// Blocks until some of `wanted` bytes may be read and sent, and returns how many (1 to `wanted`);
    /// returns 0 when `cancellation` is set while waiting.
    func admit(upTo wanted: Int, cancellation: CancellationFlag) -> Int
    /// The work read `bytes` more bytes to send (after ``admit(upTo:cancellation:)``); a re-sent body reads them again.
    func didRead(_ bytes: Int)
    /// Whether ``admit(upTo:cancellation:)`` may hold bytes back; false for a pacer that only counts.
    var holdsBack: Bool { get }
}

extension TransferPacer {
    public func didRead(_ bytes: Int) {}
    public var holdsBack: Bool { true }
}

/// The scheduling priority the work's own thread takes before it starts.
public struct ThreadPriority: Sendable, Equatable {
    public enum IOClass: Sendable, Equatable {
        case idle
        /// Level 0 (first) to 7 (last).
        case bestEffort(level: Int)
    }

    /// Niceness, 0 to 19; 0 leaves the thread's own.
    public var nice: Int
    /// Nil leaves the thread's own.
    public var io: IOClass?

    public init(nice: Int = 0, io: IOClass? = nil) {
        self.nice = nice
        self.io = io
    }

    /// Lowers the calling thread's priority; a thread only ever lowers its own, so no privilege is needed.
    /// A refusal (a kernel without I/O priorities, say) leaves the thread as it was.
    func applyToCurrentThread() {
        if nice != 0 { _ = sb_thread_set_nice(Int32(nice)) }
        switch io {
        case nil: break
        case .idle: _ = sb_thread_set_ioprio(3, 0)
        case .bestEffort(let level): _ = sb_thread_set_ioprio(2, Int32(min(7, max(0, level))))
        }
    }
}

/// What blocking work started by `onOwnThread` takes from the task that starts it: set with
/// `OwnThreadContext.$pacer.withValue(...)` around the calls whose transfers it governs.
public enum OwnThreadContext {
    /// Paces the bytes that uploads read to send (request bodies, SFTP writes, local copies).
    @TaskLocal public static var pacer: (any TransferPacer)?
    /// The priority of the threads doing the work.
    @TaskLocal public static var priority: ThreadPriority?
}

extension CancellationFlag {
    /// How many of `wanted` bytes the work may read to send now (all of them when nothing paces it); waits as the
    /// pacer says. 0 means the work was cancelled while waiting.
    public func admit(upTo wanted: Int) -> Int {
        guard let pacer, wanted > 0 else { return wanted }
        return pacer.admit(upTo: wanted, cancellation: self)
    }

    /// Tells the pacer the work read `bytes` bytes to send (it may count them for progress).
    public func didRead(_ bytes: Int) {
        guard let pacer, bytes > 0 else { return }
        pacer.didRead(bytes)
    }

    /// Whether a pacer may hold the work's reads back (a bandwidth limit), rather than only count them.
    public var isPaced: Bool { pacer?.holdsBack ?? false }
}
