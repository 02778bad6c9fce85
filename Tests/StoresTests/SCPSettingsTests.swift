import Manifest
import Storage
import Testing
@testable import Stores

struct SCPSettingsTests {
    static let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACDjKqp5Fc65tEnRulDqKii7Gm4B+QvaJFotHYdpfRiiZQ==\n-----END OPENSSH PRIVATE KEY-----\n"

    func settings(key: String = key, port: Int = 22, fingerprint: String? = nil, timeout: Double? = nil) -> SCPSettings {
        SCPSettings(server: "backup.example.com", user: "vcap", destination: "/var/backups", key: Secret(key),
                    port: port, fingerprint: fingerprint, connectTimeout: timeout)
    }

    @Test func readsTheKeyTypeAndThePinUpFront() throws {
        let store = try SCPStore(settings: settings(fingerprint: "SHA256:7vbAqiJJriwifW6bHnNwXRHwlhz5CaHAK+OL21sBBW8"))
        #expect(store.target.key.algorithm == "ssh-ed25519")
        #expect(store.target.isPinned)
        #expect(try !SCPStore(settings: settings(fingerprint: "  \n")).target.isPinned)
        #expect(store.kind == "scp")
        #expect(store.location(of: "deployment/2026/01/02") == "vcap@backup.example.com:22:/var/backups/deployment/2026/01/02")
    }

    @Test func theFactoryWrapsTheStoreInItsWindowAndRetries() async throws {
        var scp = settings()
        scp.retry = RetrySettings(attempts: 7, timeoutSeconds: 12, stallSeconds: 3)
        let destination = try DestinationConfiguration(name: "offsite", kind: .scp(scp)).makeDestination()
        #expect(destination.concurrency == SCPSettings.defaultConcurrency && destination.label == "scp destination offsite")
        let retrying = try #require(destination.store as? RetryingStore)
        #expect(retrying.policy.maxAttempts == 7 && retrying.policy.maxTotal == .seconds(12))
        let store = try #require(retrying.base as? SCPStore)
        #expect(await store.pool.window.capacity == SCPSettings.defaultConcurrency)
        #expect(store.target.sessionOptions.ioTimeout == .seconds(3))
        scp.concurrency = 9
        #expect(try DestinationConfiguration(kind: .scp(scp)).makeDestination().concurrency == 9)
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
                try SCPStore(settings: bad)
            } throws: { error in
                let text = String(describing: error)
                return (error as? StoreError)?.kind == .permanent && text.contains(words) && !text.contains(garbage)
            }
        }
    }
}
