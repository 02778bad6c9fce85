import Foundation
import Manifest
import StorageTestKit
import Stores

// store-conformance CONFIG [--large-size BYTES]
// Runs the store conformance suite against every destination of the manifest; exit 0 when all pass.
// store-conformance CONFIG put KEY FILE | get KEY FILE | list PREFIX
// Runs one operation (StoreCommand) on the manifest's first destination.
var arguments = Array(CommandLine.arguments.dropFirst())
var largeSize = 3 << 20
if let index = arguments.firstIndex(of: "--large-size"), index + 1 < arguments.count, let size = Int(arguments[index + 1]) {
    largeSize = size
    arguments.removeSubrange(index...(index + 1))
}
if arguments.count > 1, StoreCommand.names.contains(arguments[1]) {
    do {
        let configuration = try ManifestLoader.load(path: arguments[0])
        guard let entry = configuration.destinations.first else { throw StoreCommandError(description: "no destination") }
        try await StoreCommand.run(Array(arguments.dropFirst()), on: try entry.makeDestination().store)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("store command failed: \(error)\n".utf8))
        exit(1)
    }
}
guard arguments.count == 1 else {
    FileHandle.standardError.write(Data("usage: store-conformance CONFIG [--large-size BYTES]\n".utf8))
    exit(2)
}
do {
    let configuration = try ManifestLoader.load(path: arguments[0])
    for entry in configuration.destinations {
        let destination = try entry.makeDestination()
        try await StoreConformance(store: destination.store, largeSize: largeSize).runAll()
        print("conformance passed: \(destination.label)")
    }
} catch {
    FileHandle.standardError.write(Data("conformance failed: \(error)\n".utf8))
    exit(1)
}
