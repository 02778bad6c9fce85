import Backups
import Foundation
import Storage
import Testing
import Transport
@testable import ServiceBackup

@Suite struct BackupStatusRecording {
    static let nfs = BackupStatus.DestinationID(name: "nfs", kind: "local")
    static let bucket = BackupStatus.DestinationID(name: nil, kind: "s3")
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    func report(_ destinations: [DestinationReport], failedStep: RunReport.Step? = nil, error: String? = nil,
                cancelled: Bool = false, at offset: TimeInterval = 0) -> RunReport {
        RunReport(backupGUID: "0a0c72f9-bfef-4123-8eeb-8ed747fa3e24", runID: "20270115T080000Z-0a0c72f9",
                  startedAt: Self.start + offset, finishedAt: Self.start + offset + 5, failedStep: failedStep,
                  cancelled: cancelled, error: error, destinations: destinations)
    }

    func succeeded(_ id: BackupStatus.DestinationID, retries: Int = 0) -> DestinationReport {
        DestinationReport(name: id.name, kind: id.kind, outcome: .succeeded, files: 2, bytes: 300, seconds: 1.5,
                          retries: retries, manifestKey: "2027/01/15/run.manifest.json")
    }

    func failed(_ id: BackupStatus.DestinationID, retries: Int = 0) -> DestinationReport {
        DestinationReport(name: id.name, kind: id.kind, outcome: .failed, files: 1, bytes: 100, seconds: 0.5,
                          retries: retries, errorKind: .permanent, error: "403 Forbidden")
    }

    @Test func successesAndFailuresPerDestination() {
        var status = BackupStatus(manifest: "/etc/backup.yml", updatedAt: Self.start)
        status.record(report([succeeded(Self.nfs), failed(Self.bucket, retries: 2)], failedStep: .upload, error: "s3: 403"),
                      trigger: "daemon", destinations: [Self.nfs, Self.bucket])
        status.record(report([succeeded(Self.nfs, retries: 1), failed(Self.bucket, retries: 3)], failedStep: .upload,
                             at: 60), trigger: "daemon", destinations: [Self.nfs, Self.bucket])

        #expect(status.runs == BackupStatus.RunCounts(succeeded: 0, failed: 2, cancelled: 0))
        let nfs = status.destinations[0]
        #expect(nfs.name == "nfs" && nfs.type == "local")
        #expect(nfs.lastOutcome == "succeeded" && nfs.lastSuccessAt == Self.start + 65 && nfs.lastFailureAt == nil)
        #expect(nfs.consecutiveFailures == 0 && nfs.retriesTotal == 1 && nfs.lastRetries == 1)
        #expect(nfs.lastBytes == 300 && nfs.lastFiles == 2 && nfs.lastDurationSeconds == 1.5)
        #expect(nfs.lastManifestKey == "2027/01/15/run.manifest.json")
        let bucket = status.destinations[1]
        #expect(bucket.name == "s3" && bucket.lastSuccessAt == nil && bucket.lastFailureAt == Self.start + 65)
        #expect(bucket.consecutiveFailures == 2 && bucket.retriesTotal == 5 && bucket.lastError == "403 Forbidden")
        #expect(status.lastRun?.outcome == "failed" && status.lastRun?.failedStep == "upload" && status.lastRun?.trigger == "daemon")

        status.record(report([succeeded(Self.nfs), succeeded(Self.bucket)], at: 120), trigger: "backup",
                      destinations: [Self.nfs, Self.bucket])
        #expect(status.runs.succeeded == 1)
        #expect(status.destinations[1].consecutiveFailures == 0)
        #expect(status.destinations[1].lastError == "403 Forbidden", "the last failure's error stays")
        #expect(status.lastRun?.error == nil && status.lastRun?.trigger == "backup")
    }

    @Test func aRunFailingBeforeItsUploadIsAFailureOnEveryDestination() {
        var status = BackupStatus(manifest: "/etc/backup.yml", updatedAt: Self.start)
        status.record(report([], failedStep: .sourceExecutable), trigger: "daemon", destinations: [Self.nfs, Self.bucket])
        #expect(status.destinations.map(\.consecutiveFailures) == [1, 1])
        #expect(status.destinations.map(\.lastError) == ["source_executable failed", "source_executable failed"])
        #expect(status.runs.failed == 1)
    }

    @Test func aCancelledRunIsNoFailure() {
        var status = BackupStatus(manifest: "/etc/backup.yml", updatedAt: Self.start)
        let cancelled = DestinationReport(name: "nfs", kind: "local", outcome: .cancelled, errorKind: .cancelled)
        status.record(report([cancelled], failedStep: .upload, cancelled: true), trigger: "daemon", destinations: [Self.nfs])
        #expect(status.runs == BackupStatus.RunCounts(succeeded: 0, failed: 0, cancelled: 1))
        #expect(status.destinations[0].consecutiveFailures == 0 && status.destinations[0].lastFailureAt == nil)
    }

    @Test func destinationsFollowTheManifest() {
        var status = BackupStatus(manifest: "/etc/backup.yml", updatedAt: Self.start)
        status.record(report([succeeded(Self.nfs), succeeded(Self.bucket)]), trigger: "daemon", destinations: [Self.nfs, Self.bucket])
        status.record(report([succeeded(Self.bucket, retries: 4)]), trigger: "daemon", destinations: [Self.bucket])
        #expect(status.destinations.map(\.name) == ["s3"])
        #expect(status.destinations[0].retriesTotal == 4)
    }

    @Test func theFileRoundTripsAndRefusesANewerFormat() throws {
        var status = BackupStatus(manifest: "/etc/backup.yml", updatedAt: Self.start)
        status.nextRunAt = Self.start + 3600.25
        status.daemon.running = true
        status.record(report([succeeded(Self.nfs), failed(Self.bucket)], failedStep: .upload, error: "x"),
                      trigger: "daemon", destinations: [Self.nfs, Self.bucket])
        let data = try status.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"last_success_at\" : \"2027-01-15T08:00:05.000Z\""))
        #expect(text.contains("\"next_run_at\" : \"2027-01-15T09:00:00.250Z\""))
        #expect(text.contains("\"run_id\" : \"20270115T080000Z-0a0c72f9\""))
        #expect(try BackupStatus.decoded(from: data) == status)

        let newer = text.replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 2")
        #expect(throws: StatusFileError.self) { try BackupStatus.decoded(from: Data(newer.utf8)) }
    }
}

@Suite struct MetricsTextFormat {
    @Test func writesEveryFamilyWithHelpTypeAndEscapedLabels() {
        var status = BackupStatus(manifest: "/etc/backup.yml", updatedAt: Date(timeIntervalSince1970: 0))
        status.daemon.running = true
        status.nextRunAt = Date(timeIntervalSince1970: 1_800_003_600)
        status.runs = BackupStatus.RunCounts(succeeded: 3, failed: 1, cancelled: 0)
        var odd = BackupStatus.DestinationStatus(name: "a\"b\\c\nd", type: "s3")
        odd.lastSuccessAt = Date(timeIntervalSince1970: 1_800_000_000.5)
        odd.lastDurationSeconds = 12.25
        odd.lastBytes = 1_048_576
        odd.retriesTotal = 7
        status.destinations = [odd, BackupStatus.DestinationStatus(name: "nfs", type: "local")]

        let text = MetricsText.render(status)
        let labels = #"{destination="a\"b\\c\nd",type="s3"}"#
        #expect(text.contains("# HELP service_backup_up "))
        #expect(text.contains("# TYPE service_backup_up gauge\nservice_backup_up 1\n"))
        #expect(text.contains("# TYPE service_backup_next_run_timestamp_seconds gauge\nservice_backup_next_run_timestamp_seconds 1800003600\n"))
        #expect(text.contains("# TYPE service_backup_runs_total counter\nservice_backup_runs_total{outcome=\"succeeded\"} 3\n"
            + "service_backup_runs_total{outcome=\"failed\"} 1\nservice_backup_runs_total{outcome=\"cancelled\"} 0\n"))
        #expect(text.contains("service_backup_last_success_timestamp_seconds\(labels) 1800000000.5\n"))
        #expect(text.contains("service_backup_last_success_timestamp_seconds{destination=\"nfs\",type=\"local\"} 0\n"))
        #expect(text.contains("service_backup_last_run_duration_seconds\(labels) 12.25\n"))
        #expect(text.contains("service_backup_last_run_bytes\(labels) 1048576\n"))
        #expect(text.contains("# TYPE service_backup_retries_total counter\nservice_backup_retries_total\(labels) 7\n"))
        // Every sample line's family has its HELP and TYPE before it; no line is blank or unterminated.
        var declared: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            #expect(!line.isEmpty)
            if line.hasPrefix("# TYPE ") { declared.insert(String(line.split(separator: " ")[2])) }
            if !line.hasPrefix("#") { #expect(declared.contains(String(line.prefix { $0 != "{" && $0 != " " }))) }
        }
        #expect(text.hasSuffix("\n"))
    }

    @Test func aStoppedDaemonHasNoNextRunAndIsDown() {
        let text = MetricsText.render(BackupStatus(manifest: "/m", updatedAt: Date()))
        #expect(text.contains("service_backup_up 0\n"))
        #expect(!text.contains("service_backup_next_run_timestamp_seconds"))
        #expect(!text.contains("service_backup_last_run_bytes"))
    }

    @Test func numbers() {
        #expect(MetricsText.format(3) == "3")
        #expect(MetricsText.format(0.000015) == "1.5e-05")
        #expect(MetricsText.format(.infinity) == "+Inf")
        #expect(MetricsText.format(.nan) == "NaN")
    }
}

@Suite struct StatusLocations {
    @Test func namesDifferPerManifestAndStayTheSame() {
        let first = StatusLocation.fileName(for: "/var/vcap/jobs/redis/config/backup.yml")
        #expect(first == StatusLocation.fileName(for: "/var/vcap/jobs/redis/config/backup.yml"))
        #expect(first != StatusLocation.fileName(for: "/var/vcap/jobs/mysql/config/backup.yml"))
        #expect(first.hasPrefix("backup-") && first.hasSuffix(".json") && first.count == "backup-".count + 16 + 5)
        #expect(StatusLocation.fileName(for: "/etc/we ird.yaml").hasPrefix("we_ird-"))
    }

    @Test func theFolderIsStateDirOrTheSystemsOrTheUsers() {
        let environment = ["HOME": "/home/vcap"]
        let set = StatusLocation.of(manifestPath: "/etc/b.yml", stateDir: "/data/sb", environment: environment) { _ in true }
        #expect(set.folders == ["/data/sb"])
        let root = StatusLocation.of(manifestPath: "/etc/b.yml", stateDir: nil, environment: environment) { _ in true }
        #expect(root.folders == ["/var/lib/service-backup", "/home/vcap/.local/state/service-backup"])
        let user = StatusLocation.of(manifestPath: "/etc/b.yml", stateDir: nil, environment: environment) { _ in false }
        #expect(user.path.hasPrefix("/home/vcap/.local/state/service-backup/b-"))
        let xdg = StatusLocation.of(manifestPath: "/etc/b.yml", stateDir: nil, environment: ["XDG_STATE_HOME": "/x/state"]) { _ in false }
        #expect(xdg.folders[0] == "/x/state/service-backup")
    }

    @Test func manifestPathsAreMadeAbsoluteKeepingLinks() {
        #expect(StatusLocation.absolute("/var/vcap/jobs/./sb/../sb/config/backup.yml") == "/var/vcap/jobs/sb/config/backup.yml")
        #expect(StatusLocation.absolute("backup.yml") == FileManager.default.currentDirectoryPath + "/backup.yml")
    }
}

@Suite struct StatusRecorderFiles {
    @Test func writesBothFilesWholeAndKeepsCounting() async throws {
        let folder = try TemporaryFolder()
        let recorder = StatusRecorder(
            location: StatusLocation(folders: [folder.file("state")], fileName: "b.json"), manifestPath: "/etc/b.yml",
            metricsFile: folder.file("metrics/sb.prom"), destinations: [BackupStatusRecording.nfs])
        let log = CapturedLog()
        let run = BackupStatusRecording().report([BackupStatusRecording().succeeded(BackupStatusRecording.nfs, retries: 2)])
        await recorder.daemonStarted(nextRun: Date(timeIntervalSince1970: 1_900_000_000), logger: log.logger)
        await recorder.recordDaemonRun(run, nextRun: Date(timeIntervalSince1970: 1_900_000_060), logger: log.logger)
        await recorder.recordRun(run, logger: log.logger)

        let status = try #require(try recorder.read()).status
        #expect(status.runs.succeeded == 2 && status.destinations[0].retriesTotal == 4)
        #expect(status.daemon.running && status.nextRunAt == Date(timeIntervalSince1970: 1_900_000_060))
        #expect(status.lastRun?.trigger == "backup")
        let metrics = try String(contentsOfFile: folder.file("metrics/sb.prom"), encoding: .utf8)
        #expect(metrics.contains("service_backup_runs_total{outcome=\"succeeded\"} 2\n"))
        #expect(metrics.contains("service_backup_retries_total{destination=\"nfs\",type=\"local\"} 4\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("state")) == ["b.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("metrics")) == ["sb.prom"])
        #expect(log.messages.isEmpty)

        await recorder.daemonStopped(logger: log.logger)
        #expect(try recorder.read()?.status.daemon.running == false)
        #expect(try String(contentsOfFile: folder.file("metrics/sb.prom"), encoding: .utf8).contains("service_backup_up 0\n"))
    }

    @Test func anUnwritableFolderIsLoggedNotThrown() async throws {
        let folder = try TemporaryFolder()
        let blocker = try folder.write("blocker", "a file where a folder should be")
        let recorder = StatusRecorder(
            location: StatusLocation(folders: [blocker + "/state"], fileName: "b.json"), manifestPath: "/etc/b.yml",
            metricsFile: blocker + "/sb.prom", destinations: [BackupStatusRecording.nfs])
        let log = CapturedLog()
        await recorder.recordRun(BackupStatusRecording().report([]), logger: log.logger)
        #expect(log.messages == ["ServiceBackup.status file not written", "ServiceBackup.metrics file not written"])
        #expect(log.data(of: "ServiceBackup.status file not written")?["path"] as? String == blocker + "/state/b.json")
        #expect(try recorder.read() == nil)
    }
}

@Suite struct ProgressLines {
    @Test func aLineSaysDoneTotalRateAndETA() {
        #expect(ProgressBoard.line(label: "local destination nfs", done: 50 << 20, total: 100 << 20, elapsed: 5, outcome: nil)
            == "local destination nfs  50.0 MiB / 100.0 MiB  50%  10.0 MiB/s  ETA 5s")
        #expect(ProgressBoard.line(label: "s3 destination", done: 0, total: 2048, elapsed: 0, outcome: nil)
            == "s3 destination  0 B / 2.0 KiB  0%  0 B/s  ETA -")
        #expect(ProgressBoard.line(label: "s3 destination", done: 2048, total: 2048, elapsed: 130, outcome: "succeeded")
            == "s3 destination  2.0 KiB / 2.0 KiB  100%  done in 2m10s")
        #expect(ProgressBoard.line(label: "s3 destination", done: 1024, total: 2048, elapsed: 1, outcome: "failed")
            == "s3 destination  1.0 KiB / 2.0 KiB  50%  failed")
    }

    @Test func theBoardFollowsEachObserver() async {
        let board = ProgressBoard()
        board.begin(totalBytes: 1000)
        let observer = TransferObserver(kind: "local", logger: CapturedLog().logger)
        board.track("local destination nfs", observer: observer)
        #expect(board.lines()[0].hasPrefix("local destination nfs  0 B / 1000 B  0%"))
        await observer.metering(1000) {
            // What a store's blocking read reports as it reads the file to send.
            CancellationFlag(pacer: OwnThreadContext.pacer).didRead(400)
            #expect(board.lines()[0].hasPrefix("local destination nfs  400 B / 1000 B  40%"))
        }
        board.finish("local destination nfs", outcome: "succeeded")
        #expect(board.lines()[0].hasPrefix("local destination nfs  1000 B / 1000 B  100%  done in"))
    }
}

@Suite struct StatusRecorderTakingTurns {
    /// Recorders updating one file at once (the daemon and a `backup`) lose no update: they take turns on the folder's lock.
    @Test func concurrentUpdatesAllCount() async throws {
        let folder = try TemporaryFolder()
        let recorder = StatusRecorder(
            location: StatusLocation(folders: [folder.file("state")], fileName: "b.json"), manifestPath: "/etc/b.yml",
            metricsFile: nil, destinations: [BackupStatusRecording.nfs])
        let run = BackupStatusRecording().report([BackupStatusRecording().succeeded(BackupStatusRecording.nfs, retries: 1)])
        let log = CapturedLog()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 { group.addTask { await recorder.recordRun(run, logger: log.logger) } }
        }
        let status = try #require(try recorder.read()).status
        #expect(status.runs.succeeded == 16 && status.destinations[0].retriesTotal == 16)
        #expect(log.messages.isEmpty)
    }
}

@Suite struct ProgressTerminalDrawing {
    @Test func erasesExactlyTheLinesItDrew() {
        #expect(ProgressTerminal.erase(0) == "")
        #expect(ProgressTerminal.erase(2) == "\u{1B}[1A\u{1B}[2K\u{1B}[1A\u{1B}[2K\r")
        #expect(ProgressTerminal.block(["a", "b"]) == "a\nb\n")
    }
}
