import Testing
@testable import Manifest

/// `state_dir` and `metrics_file`.
@Suite struct StatusKeys {
    func manifest(_ extra: String) -> String {
        "destinations:\n- type: local\n  config: {path: /backups}\nsource_folder: /src\ncron_schedule: '@daily'\n" + extra
    }

    @Test func absentMeansDefaults() throws {
        #expect(try parse(manifest("")).status == StatusSettings())
        #expect(try parse(manifest("state_dir: ''\nmetrics_file: ~\n")).status == StatusSettings())
    }

    @Test func readsAbsolutePaths() throws {
        let status = try parse(manifest("state_dir: /var/lib/sb\nmetrics_file: /var/lib/node_exporter/sb.prom\n")).status
        #expect(status == StatusSettings(stateDir: "/var/lib/sb", metricsFile: "/var/lib/node_exporter/sb.prom"))
    }

    @Test func refusesRelativePathsNamingTheKey() {
        #expect(errorText(manifest("state_dir: state\n"))
            == "Invalid config - state_dir must be an absolute path, got \"state\" (test.yml, line 6).")
        #expect(errorText(manifest("metrics_file: sb.prom\n")).hasPrefix("Invalid config - metrics_file must be an absolute path"))
    }

    @Test func refusesAMetricsFileTheTextfileCollectorWouldNotRead() {
        #expect(errorText(manifest("metrics_file: /var/lib/node_exporter/sb.txt\n")).hasPrefix(
            "Invalid config - metrics_file must name a file ending in .prom"))
        #expect(errorText(manifest("metrics_file: /var/lib/node_exporter/.prom\n")).contains("must name a file ending in .prom"))
    }

    @Test func areInTheCatalog() {
        #expect(ManifestSchema.key("state_dir")?.type == .string)
        #expect(ManifestSchema.key("metrics_file")?.type == .string)
    }
}
