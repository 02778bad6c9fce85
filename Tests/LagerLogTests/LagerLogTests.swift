import Testing
@testable import LagerLog

@Test func LagerLogBuilds() {
    #expect(Bool(true))
}
