import Testing
@testable import Signing

@Test func SigningBuilds() {
    #expect(Bool(true))
}
