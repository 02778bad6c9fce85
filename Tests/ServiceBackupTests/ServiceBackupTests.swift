import Testing
@testable import ServiceBackup

@Test func ServiceBackupBuilds() {
    #expect(Bool(true))
}
