extension DestinationConfiguration {
    /// Where this destination's backups go, without any credential:
    /// `s3://bucket/path`, `https://account.blob.core.windows.net/container/path`, `user@server:22:/path`, `/path`.
    public var target: String {
        switch kind {
        case .s3(let s3):
            var text = "s3://\(s3.bucketName)/\(s3.bucketPath)"
            if let endpoint = s3.endpointURL { text += " at \(endpoint)" }
            if let region = s3.region { text += " in \(region)" }
            return text
        case .azure(let azure):
            let base = (try? azure.blobServiceURL()) ?? (azure.endpoint ?? "")
            return "\(base)/\(azure.container)/\(azure.path)"
        case .scp(let scp):
            let pin = scp.fingerprint == nil ? "host key not pinned" : "host key pinned"
            return "\(scp.user)@\(scp.server):\(scp.port):\(scp.destination) (\(pin))"
        case .local(let local):
            return local.path
        case .gcs(let gcs):
            var text = "gs://\(gcs.bucketName)/ in project \(gcs.projectID)"
            if let endpoint = gcs.endpoint { text += " at \(endpoint)" }
            return text
        }
    }
}

extension BackupConfiguration {
    /// One line per destination (type, name, target; never a credential) for `service-backup validate`.
    public var summaryLines: [String] {
        guard !destinations.isEmpty else { return ["destinations: none (backups are skipped)"] }
        let folders = addDeploymentNameToBackupPath && deploymentName != nil
            ? "\(deploymentName ?? "")/YYYY/MM/DD" : "YYYY/MM/DD"
        return destinations.enumerated().map { index, destination in
            let name = destination.name.map { " \"\($0)\"" } ?? ""
            return "destination \(index + 1): \(destination.typeName)\(name) -> \(destination.target)"
                + " (files under .../\(folders)/)" + (destination.retention.map { "; " + $0.summary } ?? "")
        }
    }
}
