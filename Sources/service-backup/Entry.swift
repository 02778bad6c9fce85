import ArgumentParser
import Foundation
import Transport

@main
enum Entry {
    static func main() async {
        ProcessMemory.boundAllocatorGrowth()
        // `manual-backup CONFIG` (a link to this binary) is `service-backup backup CONFIG`.
        var arguments = Array(CommandLine.arguments.dropFirst())
        if URL(fileURLWithPath: CommandLine.arguments[0]).lastPathComponent == "manual-backup" {
            arguments.insert("backup", at: 0)
        }
        await ServiceBackupCommand.main(arguments)
    }
}
