import Foundation
import Logging
import Storage

/// One operation on a store from the command line, so tests can check what a store wrote with another
/// client (an official SDK), and what another client wrote with the store:
/// `put KEY FILE` and `get KEY FILE` print `{"size":…,"sha256":"…"}`; `list PREFIX` prints one
/// `{"key":"…","size":…}` line per object.
enum StoreCommand {
    static let names: Set<String> = ["put", "get", "list"]

    static func run(_ arguments: [String], on store: any ObjectStore) async throws {
        let observer = TransferObserver(kind: store.kind, logger: Logger(label: "store-command"))
        switch (arguments.first, arguments.count) {
        case ("put", 3):
            let size = try FileManager.default.attributesOfItem(atPath: arguments[2])[.size] as? Int64 ?? 0
            try await store.prepare(observer: observer)
            let digest = try await store.put(arguments[1], from: FileRange(path: arguments[2], length: size), observer: observer)
            try printJSON(["size": digest.size, "sha256": digest.sha256Hex])
        case ("get", 3):
            let digest = try await store.get(arguments[1], to: arguments[2], observer: observer)
            try printJSON(["size": digest.size, "sha256": digest.sha256Hex])
        case ("list", 2):
            for try await object in store.list(prefix: arguments[1]) {
                try printJSON(["key": object.key, "size": object.size])
            }
        default:
            throw StoreCommandError(description: "usage: store-conformance CONFIG put KEY FILE | get KEY FILE | list PREFIX")
        }
    }

    private static func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

struct StoreCommandError: Error, CustomStringConvertible {
    var description: String
}
