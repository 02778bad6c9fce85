import Testing
@testable import Manifest

@Test func ManifestBuilds() {
    #expect(Bool(true))
}
