import Logging

/// Notices waiting for delivery, handed over by the daemon without waiting, delivered by one task of
/// the daemon's own a few at a time, so a slow or unreachable alert endpoint never holds up a run.
struct AlertQueue: Sendable {
    static let capacity = 32
    static let concurrency = 4

    private let stream: AsyncStream<AlertNotice>
    private let continuation: AsyncStream<AlertNotice>.Continuation
    /// Hears of each notice queued and each one delivered.
    private let idle: IdleImageSleep?

    init(idle: IdleImageSleep? = nil) {
        self.idle = idle
        (stream, continuation) = AsyncStream.makeStream(of: AlertNotice.self, bufferingPolicy: .bufferingOldest(Self.capacity))
    }

    /// Queues `notice`; when the queue is full it is dropped, and that is logged.
    func post(_ notice: AlertNotice, logger: Logger) {
        idle?.begin()
        let result = continuation.yield(notice)
        if case .enqueued = result {} else { idle?.end() }
        if case .dropped = result {
            logger.error("Alert dropped", metadata: [
                "event": .string(notice.event.rawValue),
                "error": .string("\(Self.capacity) alerts are already waiting to be sent"),
            ])
        }
    }

    /// No more notices: `deliverAll` returns once those queued are sent.
    func finish() { continuation.finish() }

    /// Delivers queued notices, at most ``concurrency`` at once, until ``finish()`` or cancellation.
    func deliverAll(with alerter: Alerter, logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await notice in stream {
                if running >= Self.concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask {
                    await alerter.deliver(notice, logger: logger)
                    idle?.end()
                }
                running += 1
            }
        }
    }
}
