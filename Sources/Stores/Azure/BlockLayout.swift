import Manifest
import Storage

/// How a file is cut into blocks: equal blocks of `blockSize` (the last one shorter), never more than
/// the 50,000 a block blob may have, the block size growing (in whole MiB) when the preferred one
/// would need more.
struct BlockLayout: Sendable, Equatable {
    static let maxBlocks = AzureSettings.maximumBlocks
    static let maxBlockSize = AzureSettings.blockSizeRange.upperBound
    static let mebibyte: Int64 = 1 << 20

    let fileSize: Int64
    let blockSize: Int64

    init(fileSize: Int64, preferredBlockSize: Int64) throws(StoreError) {
        var blockSize = max(preferredBlockSize, 1)
        if (fileSize + blockSize - 1) / blockSize > Self.maxBlocks {
            let least = (fileSize + Self.maxBlocks - 1) / Self.maxBlocks
            blockSize = (least + Self.mebibyte - 1) / Self.mebibyte * Self.mebibyte
        }
        guard blockSize <= Self.maxBlockSize else {
            throw StoreError(.permanent, "azure: a file of \(fileSize) bytes is larger than a block blob can hold")
        }
        self.fileSize = fileSize
        self.blockSize = blockSize
    }

    /// Whether the file goes up as one Put Blob rather than blocks.
    var isSingleBlob: Bool { fileSize <= blockSize }

    var count: Int { Int((fileSize + blockSize - 1) / blockSize) }

    func offset(ofBlock index: Int) -> Int64 { Int64(index) * blockSize }

    func length(ofBlock index: Int) -> Int64 { min(blockSize, fileSize - offset(ofBlock: index)) }

    /// The id of block `index` of an upload: base64 of `<token>-<6-digit index>`, so every id of every
    /// upload has the same length (the service refuses mixed lengths for one blob), and ids of another
    /// upload of the same name (an interrupted run, say) never collide with ours.
    static func blockID(token: String, index: Int) -> String {
        let digits = String(index)
        let raw = token + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        return AzureBlobClient.base64(Array(raw.utf8))
    }

    /// A fresh token for one upload's block ids: 8 hex digits.
    static func newToken() -> String {
        let hex = String(UInt32.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
