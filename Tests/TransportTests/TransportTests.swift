import Testing
@testable import Transport

@Test func TransportBuilds() {
    #expect(Bool(true))
}
