import Foundation
import LagerLog
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws a run's progress board on standard error when it is a terminal: one line per destination, redrawn in
/// place at most four times a second. Log lines still go to standard output whole: the sink it hands out lifts
/// the board off the screen, writes the line and puts the board back, so the two never tear each other.
public final class ProgressTerminal: Sendable {
    public static let redrawInterval: Duration = .milliseconds(250)

    public let board = ProgressBoard()
    private let drawn = Mutex<(lines: Int, text: [String])>((0, []))
    private let ticker = Mutex<Task<Void, Never>?>(nil)
    private let width: Int

    /// A display on standard error, or nil when standard error is not a terminal (a pipe, a file, the journal).
    public static func onStandardError() -> ProgressTerminal? {
        guard isatty(2) == 1 else { return nil }
        let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 80
        return ProgressTerminal(width: max(20, columns - 1))
    }

    init(width: Int) { self.width = width }

    /// Standard output for the log, keeping the board below the last line.
    public var logSink: LineSink {
        LineSink { line in
            let lines = self.currentLines()
            self.drawn.withLock { drawn in
                Self.writeError(Self.erase(drawn.lines))
                LineSink.standardOutput.write(line)
                Self.writeError(Self.block(lines))
                drawn = (lines.count, lines)
            }
        }
    }

    /// Starts redrawing.
    public func start() {
        let task = Task { [self] in
            while !Task.isCancelled {
                redraw()
                try? await Task.sleep(for: Self.redrawInterval)
            }
        }
        ticker.withLock { $0 = task }
    }

    /// Stops redrawing, leaving the final board on the screen.
    public func stop() async {
        let task = ticker.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        redraw()
    }

    /// The board's lines, each cut to the terminal's width so none wraps (a wrapped line would spoil the erase).
    func currentLines() -> [String] {
        board.lines().map { $0.count > width ? String($0.prefix(width - 1)) + "…" : $0 }
    }

    func redraw() {
        let lines = currentLines()
        drawn.withLock { drawn in
            guard lines != drawn.text || drawn.lines != lines.count else { return }
            Self.writeError(Self.erase(drawn.lines) + Self.block(lines))
            drawn = (lines.count, lines)
        }
    }

    /// Moves up over `lines` lines drawn before, clearing each.
    static func erase(_ lines: Int) -> String {
        String(repeating: "\u{1B}[1A\u{1B}[2K", count: lines) + (lines > 0 ? "\r" : "")
    }

    static func block(_ lines: [String]) -> String {
        lines.map { $0 + "\n" }.joined()
    }

    static func writeError(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
