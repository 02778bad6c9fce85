import Storage
import Transport

/// One file's way to a blob. A file up to one block goes up as one Put Blob; a larger one as Put Blocks then
/// one Put Block List, so the blob appears only whole. The file is read once, in order, on a thread of its own,
/// for both the CRC-64 each request carries (`x-ms-content-crc64`, which the service checks: far cheaper than
/// an MD5) and the SHA-256 of the whole file; each block goes up as soon as its CRC-64 is known, up to the
/// window's width of them at once (the window is shared with the destination's other files).
struct AzureBlobUpload: Sendable {
    let client: AzureBlobClient
    let preferredBlockSize: Int64
    let accessTier: String?

    func put(_ blob: String, from range: FileRange, observer: TransferObserver) async throws -> ContentDigest {
        // Opened once: the hashing read and every block's request read the same file, whatever happens to its path.
        let source = try range.opened()
        let layout = try BlockLayout(fileSize: source.length, preferredBlockSize: preferredBlockSize)
        let client = client
        let accessTier = accessTier
        // More blocks at once than the window lets through would only wait; the hashing read goes on meanwhile.
        let width = await client.window.capacity
        let token = BlockLayout.newToken()
        let (_, sha256) = try await BlockDigests.forEachBlock(
            path: source.path, file: source.file, offset: source.offset, length: source.length, blockSize: layout.blockSize, algorithm: .crc64,
            width: width
        ) { index, crc64 in
            if layout.isSingleBlob {
                try await client.putBlob(blob, from: source, crc64: crc64, accessTier: accessTier, observer: observer)
            } else {
                let range = source.slice(offset: layout.offset(ofBlock: index), length: layout.length(ofBlock: index))
                try await client.putBlock(blob, blockID: BlockLayout.blockID(token: token, index: index), from: range, crc64: crc64, observer: observer)
            }
        }
        if !layout.isSingleBlob {
            try source.checkUnchanged()
            let ids = (0..<layout.count).map { BlockLayout.blockID(token: token, index: $0) }
            try await client.putBlockList(blob, blockIDs: ids, accessTier: accessTier, observer: observer)
        }
        observer.completed(bytes: source.length)
        return ContentDigest(size: source.length, sha256: sha256)
    }
}
