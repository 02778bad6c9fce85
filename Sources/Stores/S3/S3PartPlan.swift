import Manifest

/// How a file is cut into multipart parts.
struct S3PartPlan: Sendable, Equatable {
    struct Part: Sendable, Equatable {
        var number: Int
        var offset: Int64
        var length: Int64
    }

    static let maxParts: Int64 = 10_000
    static let minPartSize = S3Settings.partSizeRange.lowerBound

    var partSize: Int64
    var fileSize: Int64

    /// The configured part size, grown (in whole MiB) when the file would otherwise need more than 10,000 parts.
    init(fileSize: Int64, preferredPartSize: Int64) {
        var size = max(preferredPartSize, Self.minPartSize)
        if (fileSize + size - 1) / size > Self.maxParts {
            let needed = (fileSize + Self.maxParts - 1) / Self.maxParts
            size = (needed + (1 << 20) - 1) / (1 << 20) * (1 << 20)
        }
        partSize = size
        self.fileSize = fileSize
    }

    /// A file up to one part goes as a single PUT (zero bytes included).
    var isSinglePut: Bool { fileSize <= partSize }

    var count: Int { Int((fileSize + partSize - 1) / partSize) }

    func part(_ number: Int) -> Part {
        let offset = Int64(number - 1) * partSize
        return Part(number: number, offset: offset, length: min(partSize, fileSize - offset))
    }
}
