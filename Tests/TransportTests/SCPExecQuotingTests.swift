import Foundation
import Testing
@testable import Transport

/// Paths reach the server's shell as one single-quoted word each: no character of them is interpreted.
struct SCPExecQuotingTests {
    @Test(arguments: [
        "plain/path", "it's \"quoted\"; $(touch pwned) `id` & café", "a\nnewline", "-rf", "'", "", "*?[a]{b,c}~",
    ])
    func theShellReadsBackTheExactPath(path: String) throws {
        let quoted = SCPExecClient.quoted(path)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "printf '%s' \(quoted)"]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        #expect(printed == (path.hasPrefix("-") ? "./" + path : path))
    }
}
