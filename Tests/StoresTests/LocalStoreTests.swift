import Foundation
import Manifest
import StorageTestKit
import Stores
import Testing

@Suite struct LocalStoreTests {
    @Test func passesTheConformanceSuite() async throws {
        let folder = NSTemporaryDirectory() + "local-store-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = LocalStore(settings: LocalSettings(path: folder))
        try await StoreConformance(store: store).runAll()
    }

    @Test func memoryStorePassesTheConformanceSuite() async throws {
        try await StoreConformance(store: MemoryStore()).runAll()
    }
}
