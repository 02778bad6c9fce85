import Backups
import Foundation
import Testing

@Suite struct RunLayoutTests {
    @Test func runIDsAreUTCSecondsAndTheGUIDsFirstEightHex() {
        let id = RunLayout.runID(startedAt: Date(timeIntervalSince1970: 1_700_000_000.9), backupGUID: "9F1C2D3E-aaaa-bbbb-cccc-000000000000")
        #expect(id == "20231114T221320Z-9f1c2d3e")
    }

    @Test func theManifestSitsInTheDayFolderWhateverTheLayout() {
        let id = "20231114T221320Z-9f1c2d3e"
        let day = RunLayout(dayFolder: "dep/2023/11/14", runID: id, runFolder: false)
        let folders = RunLayout(dayFolder: "dep/2023/11/14", runID: id, runFolder: true)
        #expect(day.manifestKey == "dep/2023/11/14/\(id).manifest.json")
        #expect(folders.manifestKey == day.manifestKey)
        #expect(day.key(of: "a/b.rdb") == "dep/2023/11/14/a/b.rdb")
        #expect(folders.key(of: "a/b.rdb") == "dep/2023/11/14/\(id)/a/b.rdb")
    }

    @Test func aManifestRoundTripsThroughJSON() throws {
        let manifest = RunManifest(
            runID: "20231114T221320Z-9f1c2d3e", backupGUID: "9f1c2d3e-aaaa", identifier: "redis-7", deployment: "dep",
            startedAt: Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date(timeIntervalSince1970: 1_700_000_010),
            runFolder: false, files: [.init(path: "naïve dump.rdb", size: 3, sha256: String(repeating: "ab", count: 32))])
        let data = try manifest.encoded()
        #expect(try RunManifest.decode(data, key: "k") == manifest)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["format_version"] as? Int == 1 && object["run_id"] as? String == manifest.runID)
        #expect(object["started_at"] as? String == "2023-11-14T22:13:20.000Z")
    }

    @Test func aNewerFormatIsRefusedByName() throws {
        let data = Data(#"{"format_version": 99, "tool": "service-backup", "tool_version": "9", "run_id": "x", "backup_guid": "g", "started_at": "", "finished_at": "", "run_folder": false, "files": []}"#.utf8)
        #expect(throws: SnapshotError.self) { try RunManifest.decode(data, key: "2023/11/14/x.manifest.json") }
    }
}
