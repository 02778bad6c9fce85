import Manifest
import Storage
import Testing
import Transport
@testable import Stores

/// The manifest's retry keys reach the policy and stall timeout each remote destination runs under.
@Suite struct RetrySettingsPolicyTests {
    static let sshKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQAAACDjKqp5Fc65tEnRulDqKii7Gm4B+QvaJFotHYdpfRiiZQ==\n-----END OPENSSH PRIVATE KEY-----\n"

    @Test func settingsBecomeThePolicy() {
        let settings = RetrySettings(attempts: 3, timeoutSeconds: 2.5, stallSeconds: 0.25)
        let policy = settings.policy
        #expect(policy.maxAttempts == 3)
        #expect(policy.maxTotal == .milliseconds(2500))
        #expect(settings.stallTimeout == .milliseconds(250))
        // The backoff itself is the policy's own.
        #expect(policy.baseDelay == RetryPolicy().baseDelay && policy.maxDelay == RetryPolicy().maxDelay)
    }

    @Test func defaultsAreTheFormerFixedValues() {
        let policy = RetrySettings.http.policy
        #expect(policy.maxAttempts == RetryPolicy().maxAttempts && policy.maxTotal == RetryPolicy().maxTotal)
        #expect(RetrySettings.http.stallTimeout == HTTPClientOptions().stallTimeout)
        #expect(RetrySettings.ssh.stallTimeout == SSHSessionOptions().ioTimeout)
    }

    /// From manifest text to the destinations the run uploads with.
    @Test func parsedManifestReachesEachDestination() throws {
        let retry = "retry_attempts: 2, retry_timeout: 7.5, stall_timeout: 3"
        let configuration = try ManifestLoader.parse(yaml: """
            destinations:
            - type: s3
              config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, \(retry)}
            - type: azure
              config: {storage_account: a, storage_access_key: a2V5, container: box, path: p, \(retry)}
            - type: scp
              config: {server: h, user: u, destination: /d, key: "\(Self.sshKey.replacingOccurrences(of: "\n", with: "\\n"))", \(retry)}
            source_folder: /src
            cron_schedule: '@daily'
            """, file: "test.yml")
        let stores = try configuration.destinations.map { try $0.makeDestination().store }
        let s3 = try #require(stores[0] as? S3Store)
        let azure = try #require(stores[1] as? AzureStore)
        let scp = try #require(stores[2] as? RetryingStore)
        for policy in [s3.retry, azure.retry, scp.policy] {
            #expect(policy.maxAttempts == 2 && policy.maxTotal == .milliseconds(7500))
        }
        #expect(s3.http.options.stallTimeout == .seconds(3))
        #expect(azure.http.options.stallTimeout == .seconds(3))
        #expect((scp.base as? SCPStore)?.target.sessionOptions.ioTimeout == .seconds(3))
    }

    @Test func defaultsReachEachDestination() throws {
        let s3 = try S3Store(settings: S3Settings(
            accessKeyID: Secret("i"), secretAccessKey: Secret("s"), bucketName: "b", bucketPath: "p"), window: ConcurrencyWindow(permits: 1))
        let azure = try AzureStore(settings: AzureSettings(
            storageAccount: "a", storageAccessKey: Secret("a2V5"), container: "box", path: "p"), window: ConcurrencyWindow(permits: 1))
        let scp = try #require(try DestinationConfiguration(kind: .scp(SCPSettings(
            server: "h", user: "u", destination: "/d", key: Secret(Self.sshKey)))).makeDestination().store as? RetryingStore)
        for policy in [s3.retry, azure.retry, scp.policy] {
            #expect(policy.maxAttempts == 5 && policy.maxTotal == .seconds(300))
        }
        #expect(s3.http.options.stallTimeout == .seconds(60) && azure.http.options.stallTimeout == .seconds(60))
        #expect((scp.base as? SCPStore)?.target.sessionOptions.ioTimeout == .seconds(120))
    }

    @Test func anExplicitPolicyStillWins() throws {
        let settings = S3Settings(
            accessKeyID: Secret("i"), secretAccessKey: Secret("s"), bucketName: "b", bucketPath: "p",
            retry: RetrySettings(attempts: 9))
        #expect(try S3Store(settings: settings, window: ConcurrencyWindow(permits: 1), retry: .never).retry.maxAttempts == 1)
        #expect(try S3Store(settings: settings, window: ConcurrencyWindow(permits: 1)).retry.maxAttempts == 9)
    }
}
