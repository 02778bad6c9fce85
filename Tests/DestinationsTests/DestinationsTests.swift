import Testing
@testable import Destinations

@Test func DestinationsBuilds() {
    #expect(Bool(true))
}
