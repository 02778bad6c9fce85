import LagerLog
import Manifest
import Testing
@testable import ServiceBackup

@Suite struct LogFormatChoice {
    func service(manifest: String?) -> Service {
        var configuration = BackupConfiguration()
        configuration.logTimestampFormat = manifest
        return Service(configuration: configuration, schedule: nil, destinations: [])
    }

    @Test func theFlagBeatsTheManifestWhichBeatsTheDefault() {
        #expect(service(manifest: nil).logFormat(flag: nil, default: .daemonDefault) == .rfc3339)
        #expect(service(manifest: nil).logFormat(flag: nil, default: .commandDefault) == .unixEpoch)
        #expect(service(manifest: "unix-epoch").logFormat(flag: nil, default: .daemonDefault) == .unixEpoch)
        #expect(service(manifest: "rfc3339").logFormat(flag: nil, default: .commandDefault) == .rfc3339)
        #expect(service(manifest: "rfc3339").logFormat(flag: .unixEpoch, default: .daemonDefault) == .unixEpoch)
        #expect(service(manifest: "unix-epoch").logFormat(flag: .rfc3339, default: .commandDefault) == .rfc3339)
    }

    @Test func theCatalogAcceptsExactlyTheFormatsTheHandlerWrites() throws {
        let key = try #require(ManifestSchema.key("logging.format.timestamp"))
        #expect(key.allowedValues.sorted() == LogTimestampFormat.allCases.map(\.rawValue).sorted())
    }
}
