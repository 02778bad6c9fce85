import Backups
import Foundation
import Manifest
import Stores
import Testing
@testable import ServiceBackup

struct BackupRunTests: Sendable {
    let folder: TemporaryFolder
    let source: String
    let target: String

    init() throws {
        folder = try TemporaryFolder()
        source = folder.file("source")
        target = folder.file("target")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
    }

    func run(_ configuration: BackupConfiguration, log: CapturedLog) async -> Bool {
        var configuration = configuration
        configuration.sourceFolder = source
        let destination = try! DestinationConfiguration(name: "nfs", kind: .local(LocalSettings(path: target))).makeDestination()
        return await BackupRun(configuration: configuration, destinations: [destination]).perform(
            logger: log.logger, now: Date(timeIntervalSince1970: 1_700_000_000)
        ).succeeded
    }

    var datedTarget: String {
        target + "/" + Snapshot.remoteFolder(for: Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test func successfulRunUploadsThenCleansUp() async throws {
        let dump = try folder.write("dump.sh", "#!/bin/sh\nmkdir -p '\(source)/nested dir'\necho dumped > '\(source)/nested dir/dump.rdb'\n", executable: true)
        let cleanup = try folder.write("cleanup.sh", "#!/bin/sh\ntouch '\(folder.file("cleaned"))'\n", executable: true)
        let identify = try folder.write("identify.sh", "#!/bin/sh\necho '  redis-7  '\n", executable: true)
        let log = CapturedLog()

        let succeeded = await run(BackupConfiguration(
            sourceExecutable: dump, cleanupExecutable: cleanup, serviceIdentifierExecutable: identify
        ), log: log)

        #expect(succeeded)
        #expect(try String(contentsOfFile: datedTarget + "/nested dir/dump.rdb", encoding: .utf8) == "dumped\n")
        #expect(FileManager.default.fileExists(atPath: folder.file("cleaned")))
        let prefix = "ServiceBackup.WithIdentifier."
        #expect(log.messages == [
            "Perform backup started", "Perform backup completed successfully", "Upload backup started",
            "about to upload \(source) to local path \(datedTarget)", "local completed", "local upload summary",
            "Upload backup completed successfully", "Cleanup started", "Cleanup completed successfully",
        ].map { prefix + $0 })
        let guids = Set(log.objects.compactMap { ($0["data"] as? [String: Any])?["backup_guid"] as? String })
        #expect(guids.count == 1)
        let completed = try #require(log.data(of: prefix + "Upload backup completed successfully"))
        #expect(completed["size_in_bytes"] as? Int == 7)
        #expect(completed["identifier"] as? String == "redis-7")
        #expect(log.data(of: prefix + "local completed")?["destination_name"] as? String == "nfs")
    }

    @Test func failingSourceExecutableMeansNoUploadAndNoCleanup() async throws {
        try folder.write("source/old.rdb", "old")
        let dump = try folder.write("dump.sh", "#!/bin/sh\necho 'disk full' >&2\nexit 3\n", executable: true)
        let cleanup = try folder.write("cleanup.sh", "#!/bin/sh\ntouch '\(folder.file("cleaned"))'\n", executable: true)
        let log = CapturedLog()

        let succeeded = await run(BackupConfiguration(sourceExecutable: dump, cleanupExecutable: cleanup), log: log)

        #expect(!succeeded)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(!FileManager.default.fileExists(atPath: folder.file("cleaned")))
        #expect(log.messages == ["ServiceBackup.Perform backup started", "ServiceBackup.Perform backup completed with error"])
        let data = try #require(log.data(of: "ServiceBackup.Perform backup completed with error"))
        #expect(data["error"] as? String == "exit status 3")
        #expect(data["output"] as? String == "disk full\n")
    }

    @Test func failingCleanupIsLoggedNotFatal() async throws {
        try folder.write("source/a", "a")
        let cleanup = try folder.write("cleanup.sh", "#!/bin/sh\nexit 1\n", executable: true)
        let log = CapturedLog()

        #expect(await run(BackupConfiguration(cleanupExecutable: cleanup), log: log))
        #expect(log.messages.last == "ServiceBackup.Cleanup completed with error")
    }

    @Test func failingIdentifierStillBacksUp() async throws {
        try folder.write("source/a", "a")
        let log = CapturedLog()

        #expect(await run(BackupConfiguration(serviceIdentifierExecutable: folder.file("missing-identify")), log: log))
        #expect(log.messages.first == "ServiceBackup.Service identifier command not found")
        #expect(log.messages.contains("ServiceBackup.Upload backup completed successfully"))
    }

    @Test func cancellingARunSendsSIGTERMToTheSourceExecutable() async throws {
        let started = folder.file("started")
        let terminated = folder.file("terminated")
        let dump = try folder.write("dump.sh", """
            #!/bin/bash
            trap 'touch "\(terminated)"; exit 143' TERM
            touch "\(started)"
            while true; do sleep 0.05; done
            """, executable: true)
        let log = CapturedLog()
        let task = Task { await run(BackupConfiguration(sourceExecutable: dump, cleanupExecutable: "/bin/true"), log: log) }
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: started) {
            guard ContinuousClock.now < deadline else {
                task.cancel()
                Issue.record("the source executable never started")
                return
            }
            await Task.yield()
        }
        task.cancel()

        #expect(await task.value == false)
        #expect(FileManager.default.fileExists(atPath: terminated))
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(!log.messages.contains("ServiceBackup.Cleanup started"))
    }
}
