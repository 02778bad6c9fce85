import Synchronization
import Transport

/// Byte-level progress of one destination's uploads: every blocking read that takes bytes of a file to send
/// (an HTTP body, an SFTP or SCP write, a local copy) reports them through the task-local pacer, the same way
/// the bandwidth limit sees them.
///
/// Each file is counted on its own and capped at its size: a request sent again (a retried part, block or
/// chunk, or a whole file started again over SCP) reads its bytes again, and they add nothing once the file's
/// count reaches its size; so `sentBytes` never exceeds what the files hold and never goes back while a file
/// is being tried again. A file that arrives counts whole; a file whose put fails is taken back out, as it is
/// not on the store. These are bytes read to send, not bytes the store acknowledged: a progress figure only.
extension TransferObserver {
    /// Bytes of the files put under ``metering(_:_:)`` read to send so far, each file capped at its size.
    public var sentBytes: Int64 { sentCount.load(ordering: .relaxed) }

    /// Puts one file of `length` bytes with `operation`, counting its bytes into ``sentBytes`` as they are read.
    public func metering<T>(
        _ length: Int64, isolation: isolated (any Actor)? = #isolation, _ operation: () async throws -> T
    ) async rethrows -> T {
        let meter = FileMeter(length: length, observer: self)
        do {
            let result = try await OwnThreadContext.adding(meter, operation)
            meter.finish(arrived: true)
            return result
        } catch {
            meter.finish(arrived: false)
            throw error
        }
    }
}

/// One file's count for ``TransferObserver/metering(_:_:)``: a pacer that holds nothing back and only counts.
final class FileMeter: TransferPacer {
    let length: Int64
    let observer: TransferObserver
    /// Bytes read so far (across every attempt), and whether the put is over.
    private let state = Mutex<(read: Int64, over: Bool)>((0, false))

    init(length: Int64, observer: TransferObserver) {
        self.length = max(0, length)
        self.observer = observer
    }

    func admit(upTo wanted: Int, cancellation: CancellationFlag) -> Int { wanted }

    var holdsBack: Bool { false }

    func didRead(_ bytes: Int) {
        let added = state.withLock { state -> Int64 in
            guard !state.over else { return 0 }
            let before = min(state.read, length)
            state.read += Int64(bytes)
            return min(state.read, length) - before
        }
        if added > 0 { observer.sentCount.add(added, ordering: .relaxed) }
    }

    /// The put is over: a file that `arrived` counts whole, one that did not counts nothing.
    func finish(arrived: Bool) {
        let change = state.withLock { state -> Int64 in
            guard !state.over else { return 0 }
            state.over = true
            return (arrived ? length : 0) - min(state.read, length)
        }
        if change != 0 { observer.sentCount.add(change, ordering: .relaxed) }
    }
}
