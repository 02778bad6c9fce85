import Backups
import Cron
import Foundation
import Manifest
import Testing
@testable import ServiceBackup

@Suite struct AlertPieces {
    static let utc = TimeZone(identifier: "UTC")!
    static let at = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z

    @Test func backoffIsTheOriginals() {
        let backoff = AlertBackoff(maxElapsed: .seconds(60))
        #expect((1...7).map { backoff.interval(afterAttempt: $0) } == [1, 2, 4, 8, 16, 16, 16].map { Duration.seconds($0) })
        #expect(backoff.pause(afterAttempt: 3, elapsed: .seconds(60)) == .seconds(4))
        #expect(backoff.pause(afterAttempt: 3, elapsed: .milliseconds(60_001)) == nil)
        #expect(AlertBackoff(maxElapsed: .seconds(1)).pause(afterAttempt: 40, elapsed: .zero) == .seconds(16))
    }

    @Test func bodyTextIsTheOriginals() {
        #expect(AlertText.body(product: "SomeDB", serviceInstanceID: "FakeIdentifier", content: AlertText.failure("exit status 1"),
                               at: Self.at, in: Self.utc)
            == "Alert from SomeDB, service instance FakeIdentifier:\n\nA backup run has failed with the following error: exit status 1\n\n[Alert generated at 2023-11-14T22:13:20Z]")
        #expect(AlertText.body(product: "SomeDB", serviceInstanceID: nil, content: "x", at: Self.at, in: TimeZone(secondsFromGMT: 3600)!)
            == "Alert from SomeDB:\n\nx\n\n[Alert generated at 2023-11-14T23:13:20+01:00]")
        #expect(AlertText.body(product: "P", serviceInstanceID: "", content: "x", at: Self.at, in: Self.utc).hasPrefix("Alert from P:\n"))
        #expect(AlertText.subject(product: "SomeDB", "Service Backup Failed") == "[Service Alert][SomeDB] Service Backup Failed")
    }

    @Test func cloudFoundryRequestPieces() throws {
        #expect(CloudFoundryNotifier.passwordGrant(user: "admin", password: "p&ss word")
            == "grant_type=password&username=admin&scope=&password=p%26ss+word")
        #expect(try CloudFoundryNotifier.join("https://api.example.com/", "/v2/organizations", filter: "name:my org")
            == "https://api.example.com/v2/organizations?q=name%3Amy+org")
        #expect(try CloudFoundryNotifier.join("http://127.0.0.1:8080/uaa", "/oauth/token") == "http://127.0.0.1:8080/uaa/oauth/token")
        #expect(throws: AlertRequestError.self) { try CloudFoundryNotifier.join("", "/v2/info") }
    }

    @Test func missedFireTimesAreCountedAndCapped() throws {
        let schedule = try CronSchedule(parsing: "@every 1s")
        let fired = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(MissedFireTimes.skipped(after: fired, until: fired.addingTimeInterval(0.9), on: schedule) == nil)
        let three = try #require(MissedFireTimes.skipped(after: fired, until: fired.addingTimeInterval(3.5), on: schedule))
        #expect(three.count == 3 && three.reason == .daemonAsleep)
        #expect(three.times == [1, 2, 3].map { fired.addingTimeInterval($0) })
        let month = try #require(MissedFireTimes.skipped(after: fired, until: fired.addingTimeInterval(30 * 86_400), on: schedule))
        #expect(month.count == MissedFireTimes.countLimit && month.times.count == MissedFireTimes.listLimit)
    }

    @Test func noticesOfRuns() {
        var report = RunReport(backupGUID: "g", runID: "r", startedAt: Self.at, finishedAt: Self.at, failedStep: .sourceExecutable,
                               error: "exit status 3")
        let failure = AlertNotice.finished(report)
        #expect(failure?.event == .failure && failure?.outcome == .failed && failure?.content == AlertText.failure("exit status 3"))
        report.cancelled = true
        #expect(AlertNotice.finished(report) == nil)
        let ok = AlertNotice.finished(RunReport(backupGUID: "g", runID: "r", startedAt: Self.at, finishedAt: Self.at))
        #expect(ok?.event == .success && ok?.error == nil)
        #expect(AlertNotice.refused(backupGUID: "g").content.hasSuffix("until this is completed."))
    }

    @Test func documentAlwaysHasEveryField() throws {
        let notice = AlertNotice.missed(MissedFireTimes.replaced(Self.at), at: Self.at)
        let json = AlertDocument.json(notice, product: nil, deployment: nil, host: "vm-1")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(Set(object.keys) == [
            "version", "event", "outcome", "product", "identifier", "deployment", "host", "backup_guid", "run_id",
            "started_at", "finished_at", "failed_step", "error", "destinations", "missed_times", "missed_count",
            "missed_reason", "generated_at", "text",
        ])
        #expect(object["missed_times"] as? [String] == ["2023-11-14T22:13:20Z"] && object["product"] is NSNull)
        #expect((object["text"] as? String)?.hasPrefix("Alert from service-backup:\n\nA scheduled backup did not run at ") == true)
    }

    @Test func channelsFollowAlertsOn() {
        var configuration = BackupConfiguration(alerts: Alerts(productName: "P"))
        configuration.alertHooks = AlertHooks(webhookURL: Secret("http://h/x"), executable: "/bin/true", heartbeatURL: Secret("http://h/p"))
        let alerter = Alerter(configuration: configuration)
        #expect(alerter.channels(for: .failure) == [.cloudFoundry, .webhook, .executable])
        #expect(alerter.channels(for: .success) == [.heartbeat])
        #expect(alerter.channels(for: .missed) == [])
        configuration.alertHooks.events = [.missed, .success]
        let all = Alerter(configuration: configuration)
        #expect(all.channels(for: .failure) == [])
        #expect(all.channels(for: .missed) == [.cloudFoundry, .webhook, .executable])
        #expect(all.channels(for: .success) == [.webhook, .executable, .heartbeat])
    }
}
