import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A command from the manifest (`source_executable`, `cleanup_executable`, …): split on spaces, run without a shell,
/// in a process group of its own so a stop reaches everything it started.
struct ChildProcess: Sendable {
    /// How much of the end of the combined output an error keeps.
    static let outputTailSize = 4096

    let commandLine: String
    /// Time between SIGTERM and SIGKILL when the run is cancelled.
    let gracePeriod: Duration

    struct Outcome: Sendable {
        var exitCode: Int32?
        var signal: Int32?
        /// The last `outputTailSize` bytes of stdout and stderr together.
        var outputTail: String

        var succeeded: Bool { exitCode == 0 }

        /// `exit status 3` or `signal: terminated`, the way Go's exec package says it.
        var statusText: String {
            if let exitCode { return "exit status \(exitCode)" }
            return "signal: \(signal.map(Self.signalName) ?? "unknown")"
        }

        private static func signalName(_ number: Int32) -> String {
            switch number {
            case SIGTERM: "terminated"
            case SIGKILL: "killed"
            case SIGINT: "interrupt"
            default: "signal \(number)"
            }
        }
    }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the command to its end, keeping the tail of stdout (and of stderr too, unless `standardOutputOnly`).
    /// `standardInput`, when given, is the child's stdin (the caller closes it); otherwise the child has none.
    /// Cancelling the task sends SIGTERM to its process group, then SIGKILL after the grace period.
    func run(standardOutputOnly: Bool = false, standardInput: FileDescriptor? = nil) async throws -> Outcome {
        let words = commandLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let program = words.first else { throw LaunchError(description: "empty command") }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)

        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: gracePeriod)]
        let arguments = Arguments(Array(words.dropFirst()))

        let result: (status: TerminationStatus, tail: [UInt8])
        do {
            if let standardInput {
                let input = FileDescriptorInput.fileDescriptor(standardInput, closeAfterSpawningProcess: false)
                result = try await Self.launch(executable, arguments, options, input: input, standardOutputOnly: standardOutputOnly)
            } else {
                result = try await Self.launch(executable, arguments, options, input: .none, standardOutputOnly: standardOutputOnly)
            }
        } catch let error as SubprocessError {
            throw LaunchError(description: "cannot start \(program): \(error)")
        }
        let tail = String(decoding: result.tail, as: UTF8.self)
        switch result.status {
        case .exited(let code): return Outcome(exitCode: code, signal: nil, outputTail: tail)
        case .signaled(let signal): return Outcome(exitCode: nil, signal: signal, outputTail: tail)
        }
    }

    private static func launch<Input: InputProtocol>(
        _ executable: Executable, _ arguments: Arguments, _ options: PlatformOptions, input: Input, standardOutputOnly: Bool
    ) async throws -> (status: TerminationStatus, tail: [UInt8]) {
        if standardOutputOnly {
            let outcome = try await Subprocess.run(
                executable, arguments: arguments, platformOptions: options,
                input: input, output: .sequence, error: .discarded, body: { try await Self.drain($0.standardOutput) }
            )
            return (outcome.terminationStatus, outcome.closureResult)
        }
        let outcome = try await Subprocess.run(
            executable, arguments: arguments, platformOptions: options,
            input: input, output: .sequence, error: .combinedWithOutput, body: { try await Self.drain($0.standardOutput) }
        )
        return (outcome.terminationStatus, outcome.closureResult)
    }

    /// Reads the output to its end even when the run is cancelled: a child that is stopping may still
    /// write (bash reports its killed job), and a closed pipe would kill it with SIGPIPE before its TERM trap ran.
    private static func drain(_ output: SubprocessOutputSequence) async throws -> [UInt8] {
        try await Task { try await keepTail(of: output) }.value
    }

    private static func keepTail(of output: SubprocessOutputSequence) async throws -> [UInt8] {
        var tail: [UInt8] = []
        for try await buffer in output {
            buffer.withUnsafeBytes { tail.append(contentsOf: $0) }
            if tail.count > 2 * outputTailSize { tail.removeFirst(tail.count - outputTailSize) }
        }
        return Array(tail.suffix(outputTailSize))
    }
}
