import Storage
import Transport

/// One file's way to a blob. A file up to one block goes up as one Put Blob; a larger one as Put Blocks then
/// one Put Block List, so the blob appears only whole. The file is read once, in order, for both the MD5
/// each request carries and the SHA-256 of the whole file; each block goes up as soon as its MD5 is known,
/// up to the window's width of them at once (the window is shared with the destination's other files).
struct AzureBlobUpload: Sendable {
    let client: AzureBlobClient
    let preferredBlockSize: Int64
    let accessTier: String?

    func put(_ blob: String, from source: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        let layout = try BlockLayout(fileSize: source.length, preferredBlockSize: preferredBlockSize)
        let digests = BlockDigests.read(
            path: source.path, offset: source.offset, length: source.length, blockSize: layout.blockSize, algorithm: .md5)
        let sha256 = layout.isSingleBlob
            ? try await putWhole(blob, from: source, digests: digests, observer: observer)
            : try await putBlocks(blob, from: source, layout: layout, digests: digests, observer: observer)
        observer.completed(bytes: source.length)
        return ContentDigest(size: source.length, sha256: sha256)
    }

    /// A hashing read that ended without the whole file's hash was stopped: nothing may be committed.
    private static func checkRead(_ sha256: [UInt8]) throws {
        try Task.checkCancellation()
        guard !sha256.isEmpty else { throw CancellationError() }
    }

    private func putWhole(
        _ blob: String, from source: FileRange, digests: AsyncThrowingStream<BlockDigests.Event, any Error>,
        observer: TransferObserver
    ) async throws -> [UInt8] {
        var md5: [UInt8] = []
        var sha256: [UInt8] = []
        for try await event in digests {
            switch event {
            case .block(_, let digest): md5 = digest
            case .whole(let digest): sha256 = digest
            }
        }
        try Self.checkRead(sha256)
        try await client.putBlob(blob, from: source, md5: md5, accessTier: accessTier, observer: observer)
        return sha256
    }

    private func putBlocks(
        _ blob: String, from source: FileRange, layout: BlockLayout,
        digests: AsyncThrowingStream<BlockDigests.Event, any Error>, observer: TransferObserver
    ) async throws -> [UInt8] {
        let token = BlockLayout.newToken()
        let client = client
        // More blocks in the group than the window lets through would only wait; the hashing read goes on meanwhile.
        let width = await client.window.capacity
        let sha256 = try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            var sha256: [UInt8] = []
            for try await event in digests {
                switch event {
                case .block(let index, let md5):
                    if inFlight >= width {
                        try await group.next()
                        inFlight -= 1
                    }
                    let range = FileRange(
                        path: source.path, offset: source.offset + layout.offset(ofBlock: index), length: layout.length(ofBlock: index))
                    let id = BlockLayout.blockID(token: token, index: index)
                    group.addTask { try await client.putBlock(blob, blockID: id, from: range, md5: md5, observer: observer) }
                    inFlight += 1
                case .whole(let digest):
                    sha256 = digest
                }
            }
            try await group.waitForAll()
            return sha256
        }
        try Self.checkRead(sha256)
        let ids = (0..<layout.count).map { BlockLayout.blockID(token: token, index: $0) }
        try await client.putBlockList(blob, blockIDs: ids, accessTier: accessTier, observer: observer)
        return sha256
    }
}
