import ArgumentParser
import Foundation
import ServiceBackup

struct ServiceBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-backup",
        abstract: "Backs up a service's data to S3, Azure Blob Storage, Google Cloud Storage, SCP servers or local folders on a cron schedule.",
        discussion: "`service-backup CONFIG` runs the daemon, as `service-backup daemon CONFIG` does.",
        version: ToolVersion.current,
        subcommands: [
            DaemonCommand.self, BackupCommand.self, ListCommand.self, VerifyCommand.self, RestoreCommand.self,
            PruneCommand.self, CheckCommand.self, StatusCommand.self, ValidateCommand.self, NextRunsCommand.self,
            ConfigReferenceCommand.self,
        ],
        defaultSubcommand: DaemonCommand.self
    )
}

/// Exit codes of the contract.
enum ExitStatus {
    /// Bad configuration or a failed manual backup.
    static let failure = ExitCode(2)
}

/// Prints a one-line (or two-line, with the operator's message) error to stderr.
func printError(_ message: String) {
    var standardError = StandardError()
    print(message, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
