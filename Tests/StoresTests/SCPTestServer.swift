import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real OpenSSH `sshd` on a free loopback port with its own host keys, user keys and authorized_keys,
/// all inside a private temporary folder; `stop()` ends it and removes the folder.
final class SCPTestServer: @unchecked Sendable {
    let folder: URL
    let port: Int
    /// Started with posix_spawn, not `Process`: Foundation's child monitor blocks in wait4 on a
    /// long-running child and would never reap the ssh-keygen runs that follow.
    let pid: pid_t

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") }

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scp-test-\(UUID().uuidString)")
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for (name, args) in [
            ("host_ed25519", ["-t", "ed25519"]), ("host_ecdsa", ["-t", "ecdsa"]),
            ("user_ed25519", ["-t", "ed25519"]), ("user_rsa_pem", ["-t", "rsa", "-b", "3072", "-m", "PEM"]),
            ("user_rsa_openssh", ["-t", "rsa", "-b", "2048"]), ("user_ecdsa", ["-t", "ecdsa"]),
            ("stranger_ed25519", ["-t", "ed25519"]),
        ] {
            try Self.run("/usr/bin/ssh-keygen", ["-q", "-N", "", "-C", name, "-f", folder.appendingPathComponent(name).path] + args)
        }
        let authorized = try ["user_ed25519", "user_rsa_pem", "user_rsa_openssh", "user_ecdsa"]
            .map { try String(contentsOf: folder.appendingPathComponent("\($0).pub"), encoding: .utf8) }
            .joined()
        try authorized.write(to: folder.appendingPathComponent("authorized_keys"), atomically: true, encoding: .utf8)
        port = try Self.freePort()
        let config = """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(folder.path)/host_ed25519
        HostKey \(folder.path)/host_ecdsa
        AuthorizedKeysFile \(folder.path)/authorized_keys
        StrictModes no
        PermitRootLogin prohibit-password
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        PidFile none
        Subsystem sftp internal-sftp
        """
        try config.write(to: folder.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
        pid = try Self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", folder.appendingPathComponent("sshd_config").path])
        do {
            try waitUntilListening()
        } catch {
            stop()
            throw error
        }
    }

    func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// The public host key line (`ssh-ed25519 AAAA… comment`).
    func hostKeyLine(_ name: String = "host_ed25519") throws -> String {
        try text("\(name).pub").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func hostFingerprint(_ name: String = "host_ed25519") throws -> String {
        let output = try Self.run("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", folder.appendingPathComponent("\(name).pub").path])
        return String(output.split(separator: " ")[1])
    }

    /// Ends every connection the server is serving (its per-connection children); the listener stays.
    func dropConnections() {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ pid_t($0) }) { kill(child, SIGKILL) }
    }

    /// How many connections the server is serving: one child process each.
    func connectionCount() -> Int {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").count
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(at: folder)
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == 0 else { throw TestServerError("sshd exited at start") }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(20_000)  // polling the port: sshd gives no other signal that it listens
        }
        throw TestServerError("sshd did not listen on port \(port)")
    }

    static func spawn(_ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { throw TestServerError("cannot start \(arguments[0])") }
        return pid
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestServerError("\(tool) failed") }
        return String(decoding: data, as: UTF8.self)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestServerError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
