import Manifest
import Testing
@testable import Stores

struct SCPSettingsTests {
    static let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACDjKqp5Fc65tEnRulDqKii7Gm4B+QvaJFotHYdpfRiiZQ==\n-----END OPENSSH PRIVATE KEY-----\n"

    func settings(key: String = key, port: Int = 22, fingerprint: String? = nil, timeout: Double? = nil) -> SCPSettings {
        SCPSettings(server: "backup.example.com", user: "vcap", destination: "/var/backups", key: Secret(key),
                    port: port, fingerprint: fingerprint, connectTimeout: timeout)
    }

    @Test func readsTheKeyTypeAndThePinUpFront() throws {
        let destination = try SCPDestination(name: "offsite", settings: settings(fingerprint: "SHA256:7vbAqiJJriwifW6bHnNwXRHwlhz5CaHAK+OL21sBBW8"))
        #expect(destination.target.key.algorithm == "ssh-ed25519")
        #expect(destination.target.isPinned)
        #expect(destination.concurrency == 4)
        #expect(try !SCPDestination(name: nil, settings: settings(fingerprint: "  \n")).target.isPinned)
    }

    @Test func badSettingsNameWhatIsWrongWithoutShowingTheKey() {
        let garbage = "not a key but a secret 0123456789abcdef"
        for (bad, words) in [
            (settings(key: garbage), "key is not a PEM or OpenSSH private key"),
            (settings(port: 0), "port 0"),
            (settings(fingerprint: "SHA256:tooShort"), "fingerprint"),
            (settings(timeout: -1), "connect_timeout"),
        ] {
            #expect {
                try SCPDestination(name: nil, settings: bad)
            } throws: { error in
                let text = String(describing: error)
                return text.contains(words) && !text.contains(garbage)
            }
        }
    }
}
