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

    @Test func aNameThatIsNotUTF8ReachesTheShellAsItsBytes() throws {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "printf '%s' \(SCPExecClient.quoted("d%FE/it's b%FFad%25 $(id)"))"]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let printed = Array(output.fileHandleForReading.readDataToEndOfFile())
        shell.waitUntilExit()
        #expect(printed == Array("d".utf8) + [0xFE, 0x2F] + Array("it's b".utf8) + [0xFF] + Array("ad% $(id)".utf8))
    }

    @Test func keyTextAndBytesRoundTrip() {
        let names: [[UInt8]] = [Array("plain/é".utf8), Array("bad".utf8) + [0xFF], [0x25, 0x41, 0xC3], Array("a/b%20c".utf8) + [0x2F, 0xFE]]
        for name in names {
            #expect(ByteNames.bytes(ByteNames.text(name)) == name)
        }
        #expect(ByteNames.text(Array("bad".utf8) + [0xFF] + Array("name".utf8)) == "bad%FFname")
        #expect(ByteNames.text([0x25, 0x41, 0xC3]) == "%25A%C3")
        #expect(ByteNames.bytes("100%41") == Array("100%41".utf8))  // decodes to UTF-8: stays as written
    }
}
