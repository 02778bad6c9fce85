import Foundation
import Logging
import Transport

/// One backup's transfer to a container: small files as single Put Blobs, larger ones as blocks then a
/// block list, all sharing one window of `concurrency` requests in flight, taken in file order. A blob
/// exists only once committed whole, and its length is checked against the file's before it counts.
struct AzureUpload: Sendable {
    let client: AzureBlobClient
    let preferredBlockSize: Int64
    let concurrency: Int
    let accessTier: String?
    let logger: Logger

    /// One file and how it goes up.
    struct Plan: Sendable {
        let file: BackupFile
        let blob: String
        /// nil: one Put Blob.
        let blocks: BlockLayout?
        let token: String

        func blockID(_ index: Int) -> String { BlockLayout.blockID(token: token, index: index) }
    }

    enum Job: Sendable {
        case blob(plan: Int)
        case block(plan: Int, index: Int)
        case commit(plan: Int)
    }

    func plans(for backup: Backup, under basePath: String) throws -> [Plan] {
        try backup.files.map { file in
            let blob = String(backup.remotePath(of: file, under: basePath).drop(while: { $0 == "/" }))
            let layout = try BlockLayout(fileSize: file.size, preferredBlockSize: preferredBlockSize)
            let token = String(UInt32.random(in: .min ... .max), radix: 16).leftPadded(to: 8)
            return Plan(file: file, blob: blob, blocks: file.size > layout.blockSize ? layout : nil, token: token)
        }
    }

    func run(_ plans: [Plan]) async throws {
        var jobs: [Job] = []
        var blocksLeft = [Int](repeating: 0, count: plans.count)
        for (index, plan) in plans.enumerated() {
            if let blocks = plan.blocks {
                blocksLeft[index] = blocks.count
                jobs += (0..<blocks.count).map { Job.block(plan: index, index: $0) }
            } else {
                jobs.append(.blob(plan: index))
            }
        }

        try await withThrowingTaskGroup(of: Job.self) { group in
            var next = jobs.makeIterator()
            var inFlight = 0
            func fill() {
                while inFlight < concurrency, let job = next.next() {
                    group.addTask { try await perform(job, plans) }
                    inFlight += 1
                }
            }
            fill()
            while let done = try await group.next() {
                inFlight -= 1
                if case .block(let plan, _) = done {
                    blocksLeft[plan] -= 1
                    if blocksLeft[plan] == 0 {
                        group.addTask { try await perform(.commit(plan: plan), plans) }
                        inFlight += 1
                    }
                }
                fill()
            }
        }
    }

    private func perform(_ job: Job, _ plans: [Plan]) async throws -> Job {
        switch job {
        case .blob(let index):
            let plan = plans[index]
            let md5 = try await FileRangeDigest.of(path: plan.file.localPath, offset: 0, length: plan.file.size, algorithm: .md5)
            try await client.putBlob(plan.blob, file: plan.file.localPath, length: plan.file.size, md5: md5, accessTier: accessTier)
            try await verify(plan)
        case .block(let index, let block):
            let plan = plans[index]
            guard let layout = plan.blocks else { break }
            let offset = layout.offset(ofBlock: block)
            let length = layout.length(ofBlock: block)
            let md5 = try await FileRangeDigest.of(path: plan.file.localPath, offset: offset, length: length, algorithm: .md5)
            try await client.putBlock(plan.blob, blockID: plan.blockID(block), file: plan.file.localPath,
                                      offset: offset, length: length, md5: md5)
        case .commit(let index):
            let plan = plans[index]
            let ids = (0..<(plan.blocks?.count ?? 0)).map(plan.blockID)
            try await client.putBlockList(plan.blob, blockIDs: ids, accessTier: accessTier)
            try await verify(plan)
        }
        return job
    }

    private func verify(_ plan: Plan) async throws {
        let length = try await client.blobLength(plan.blob)
        guard length == plan.file.size else {
            throw DestinationError("azure: blob \(plan.blob) has \(length) bytes after upload, but \(plan.file.localPath) has \(plan.file.size)")
        }
        logger.debug("azure blob committed", metadata: ["blob": .string(plan.blob), "bytes": .stringConvertible(length)])
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
