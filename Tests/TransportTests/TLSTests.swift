import Foundation
import Testing
@testable import Transport

/// HTTPS against a server whose certificate is signed by a private CA made for the test.
@Suite struct TLSTests {
    struct PrivateCA {
        let folder: TemporaryFolder
        var caPEM: String
        var cert: String { folder.path + "/server.pem" }
        var key: String { folder.path + "/server.key" }
    }

    static func makeCA() throws -> PrivateCA {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let commands = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem",
             "-days", "1", "-subj", "/CN=service-backup test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr",
             "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
             "-CAcreateserial", "-out", "\(dir)/server.pem", "-days", "1", "-extfile", "\(dir)/ext.cnf"],
        ]
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: "\(dir)/ext.cnf", atomically: true, encoding: .utf8)
        for arguments in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw TransportError(.local, "openssl \(arguments[0]) failed") }
        }
        return PrivateCA(folder: folder, caPEM: try String(contentsOfFile: "\(dir)/ca.pem", encoding: .utf8))
    }

    @Test func privateCAIsTrustedOnlyWhenConfigured() async throws {
        let ca = try Self.makeCA()
        let server = try await TestHTTPServer(tls: (ca.cert, ca.key))
        defer { server.stop() }
        let request = HTTPRequest(method: "GET", url: server.localhostURL + "/hello")

        let error = await #expect(throws: TransportError.self) { try await HTTPClient().send(request) }
        #expect(error?.kind == .tls)
        #expect(error?.isRetryable == false)

        let trusting = HTTPClient(options: HTTPClientOptions(caCertPEM: ca.caPEM))
        #expect(try await trusting.send(request).bodyText == "hello")

        let skipping = HTTPClient(options: HTTPClientOptions(skipTLSVerification: true))
        #expect(try await skipping.send(request).bodyText == "hello")
    }

    @Test func extraCertificatesComeAfterTheSystemBundle() throws {
        let blob = String(decoding: CABundle.blob(addingPEM: "EXTRA"), as: UTF8.self)
        #expect(blob.hasSuffix("EXTRA\n"))
        if CABundle.systemBundlePath() != nil { #expect(blob.count > 1000) }
    }
}
