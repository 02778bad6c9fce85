import Backups
import Foundation

/// The JSON document a webhook receives and an alert executable reads on stdin.
/// Every field is always present (null when unknown), so a receiver can rely on the shape.
struct AlertDocument: Encodable {
    var version = 1
    var event: String
    var outcome: String
    var product: String?
    var identifier: String?
    var deployment: String?
    var host: String
    var backupGUID: String?
    var runID: String?
    var startedAt: String?
    var finishedAt: String?
    var failedStep: String?
    var error: String?
    var destinations: [Destination]
    var missedTimes: [String]
    var missedCount: Int
    var missedReason: String?
    var generatedAt: String
    /// The human text (`Alert from …`), also what chat webhooks such as Slack's display.
    var text: String

    struct Destination: Encodable {
        var name: String?
        var type: String
        var outcome: String
        var files: Int
        var bytes: Int64
        var seconds: Double
        var retries: Int
        var error: String?
        var manifestKey: String?

        enum CodingKeys: String, CodingKey {
            case name, type, outcome, files, bytes, seconds, retries, error
            case manifestKey = "manifest_key"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(type, forKey: .type)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(files, forKey: .files)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(seconds, forKey: .seconds)
            try c.encode(retries, forKey: .retries)
            try c.encode(error, forKey: .error)
            try c.encode(manifestKey, forKey: .manifestKey)
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, event, outcome, product, identifier, deployment, host, destinations, error, text
        case backupGUID = "backup_guid", runID = "run_id", startedAt = "started_at", finishedAt = "finished_at"
        case failedStep = "failed_step", missedTimes = "missed_times", missedCount = "missed_count", missedReason = "missed_reason"
        case generatedAt = "generated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(event, forKey: .event)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(product, forKey: .product)
        try c.encode(identifier, forKey: .identifier)
        try c.encode(deployment, forKey: .deployment)
        try c.encode(host, forKey: .host)
        try c.encode(backupGUID, forKey: .backupGUID)
        try c.encode(runID, forKey: .runID)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(failedStep, forKey: .failedStep)
        try c.encode(error, forKey: .error)
        try c.encode(destinations, forKey: .destinations)
        try c.encode(missedTimes, forKey: .missedTimes)
        try c.encode(missedCount, forKey: .missedCount)
        try c.encode(missedReason, forKey: .missedReason)
        try c.encode(generatedAt, forKey: .generatedAt)
        try c.encode(text, forKey: .text)
    }

    init(_ notice: AlertNotice, product: String?, deployment: String?, host: String = ProcessInfo.processInfo.hostName) {
        let utc = TimeZone(identifier: "UTC")!
        let report = notice.report
        event = notice.event.rawValue
        outcome = notice.outcome.rawValue
        self.product = product
        identifier = notice.identifier
        self.deployment = deployment
        self.host = host
        backupGUID = notice.backupGUID
        runID = report?.runID
        startedAt = report.map { AlertText.rfc3339($0.startedAt, in: utc) }
        finishedAt = report.map { AlertText.rfc3339($0.finishedAt, in: utc) }
        failedStep = notice.outcome == .failed ? report?.failedStep?.rawValue : nil
        error = notice.error
        destinations = (report?.destinations ?? []).map { destination in
            Destination(
                name: destination.name, type: destination.kind, outcome: destination.outcome.rawValue,
                files: destination.files, bytes: destination.bytes, seconds: destination.seconds,
                retries: destination.retries, error: destination.error, manifestKey: destination.manifestKey)
        }
        missedTimes = notice.missedTimes.map { AlertText.rfc3339($0, in: utc) }
        missedCount = notice.missedCount
        missedReason = notice.missedReason
        generatedAt = AlertText.rfc3339(notice.at, in: utc)
        text = AlertText.body(
            product: product ?? "service-backup", serviceInstanceID: notice.identifier, content: notice.content, at: notice.at)
    }

    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? Array("{}".utf8)
    }
}
