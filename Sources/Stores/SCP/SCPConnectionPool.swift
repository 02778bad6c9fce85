import Foundation
import Storage
import Synchronization
import Transport

/// The SSH connections of one scp store: one per operation in flight, at most the window's width of them, each
/// reused by the next operation. Connections idle for `idleTimeout` are closed, off the concurrency pool;
/// the timer that closes them holds the pool, so a pool is never released with a connection open.
final class SCPConnectionPool: Sendable {
    static let idleTimeout: Duration = .seconds(10)

    let target: SCPTarget
    /// The destination's concurrency window: every operation holds a permit, and with it a connection.
    let window: ConcurrencyWindow
    private let state = Mutex(State())

    private struct State {
        var idle: [SCPConnectionSlot] = []
        var busy = 0
        /// Changes whenever a slot is taken, so an idle timer knows whether the pool was used meanwhile.
        var generation = 0
    }

    init(target: SCPTarget, window: ConcurrencyWindow) {
        self.target = target
        self.window = window
    }

    /// Runs `work` with a slot of its own on a thread of its own; cancelling the task sets the flag it polls.
    func withSlot<T: Sendable>(_ work: @escaping @Sendable (SCPConnectionSlot, CancellationFlag) throws -> T) async throws -> T {
        try await window.withPermit {
            let slot = checkOut()
            defer { checkIn(slot) }
            return try await onOwnThread { flag in try work(slot, flag) }
        }
    }

    private func checkOut() -> SCPConnectionSlot {
        state.withLock { state in
            state.busy += 1
            state.generation += 1
            return state.idle.popLast() ?? SCPConnectionSlot(target: target)
        }
    }

    private func checkIn(_ slot: SCPConnectionSlot) {
        let generation = state.withLock { state -> Int? in
            state.idle.append(slot)
            state.busy -= 1
            return state.busy == 0 ? state.generation : nil
        }
        guard let generation else { return }
        Task {
            try? await Task.sleep(for: Self.idleTimeout)
            await closeIdle(ifUnusedSince: generation)
        }
    }

    private func closeIdle(ifUnusedSince generation: Int) async {
        await closeIdle { state in state.busy == 0 && state.generation == generation }
    }

    /// Closes every idle connection now (each tells the server it disconnects); busy ones are left alone.
    func closeIdle() async {
        await closeIdle { _ in true }
    }

    private func closeIdle(when condition: (State) -> Bool) async {
        let idle = state.withLock { state -> [SCPConnectionSlot] in
            guard condition(state) else { return [] }
            defer { state.idle = [] }
            return state.idle
        }
        guard !idle.isEmpty else { return }
        _ = try? await onOwnThread { _ in idle.forEach { $0.close() } }
    }
}
