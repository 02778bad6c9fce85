import Testing
@testable import Cron

@Test func CronBuilds() {
    #expect(Bool(true))
}
