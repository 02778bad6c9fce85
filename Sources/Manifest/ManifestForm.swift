import Yams

/// Finds the service-backup settings in a rendered backup.yml or a BOSH deployment manifest.
enum ManifestForm {
    struct Located {
        var settings: ManifestMap
        /// The top-level `name` of a BOSH deployment manifest.
        var boshDeploymentName: String?
    }

    static let propertiesName = "service-backup"
    static let jobName = "service-backup"

    static func locateSettings(in root: Node.Mapping, file: String) throws -> Located {
        let top = ManifestMap(root, path: "", file: file)
        let isBOSH = ["instance_groups", "properties", "releases", "stemcells"].contains(where: top.contains)
        guard isBOSH else {
            guard ManifestSchema.topLevelNames.contains(where: top.contains) else { throw noSettings(file) }
            return Located(settings: top, boshDeploymentName: nil)
        }

        let name = top.node(named: "name")?.scalar?.string
        let deploymentName = name?.isEmpty == false ? name : nil
        if let properties = try top.map(named: "properties"), properties.contains(propertiesName) {
            return Located(settings: try settings(in: properties), boshDeploymentName: deploymentName)
        }
        var jobWithoutLevel: ManifestMap?
        for (index, groupNode) in (try top.list(named: "instance_groups") ?? []).enumerated() {
            let group = try element(groupNode, path: "instance_groups[\(index)]", file: file)
            for (jobIndex, jobNode) in (try group.list(named: "jobs") ?? []).enumerated() {
                let job = try element(jobNode, path: "\(group.path).jobs[\(jobIndex)]", file: file)
                guard job.node(named: "name")?.scalar?.string == jobName else { continue }
                if let properties = try job.map(named: "properties"), properties.contains(propertiesName) {
                    return Located(settings: try settings(in: properties), boshDeploymentName: deploymentName)
                }
                jobWithoutLevel = jobWithoutLevel ?? job
            }
        }
        // The job is there without its `service-backup:` level: the daemon would idle forever with no destination.
        // (An explicit empty `service-backup:` level is how a manifest says "no backups", and is accepted above.)
        if let job = jobWithoutLevel { throw try missingLevel(in: job, file: file) }
        throw ManifestError.file(
            file,
            "is a BOSH deployment manifest without service-backup settings: expected properties.\(propertiesName) "
                + "or an instance group job named \(jobName) with properties.\(propertiesName).")
    }

    static func noSettings(_ file: String) -> ManifestError {
        let names = ["destinations", "source_folder", "cron_schedule"].joined(separator: ", ")
        return ManifestError.file(
            file,
            "holds no service-backup settings (none of \(names) or any other setting is at its top level): "
                + "give the rendered backup.yml, or a BOSH deployment manifest with properties.\(propertiesName).")
    }

    private static func missingLevel(in job: ManifestMap, file: String) throws -> ManifestError {
        let properties = try job.map(named: "properties")
        let misplaced = ManifestSchema.topLevelNames.filter { properties?.contains($0) == true }
        let found = misplaced.isEmpty
            ? "it has no properties"
            : "its properties hold \(misplaced.joined(separator: ", ")) directly"
        return ManifestError.value(
            job.keyPath("properties"),
            "of the \(jobName) job has no \(propertiesName): level (\(found)); put the settings under "
                + "properties.\(propertiesName), or write `\(propertiesName): {}` to run without backups",
            at: job.location(of: job.node(named: "properties")))
    }

    private static func settings(in properties: ManifestMap) throws -> ManifestMap {
        try properties.map(named: propertiesName)
            ?? ManifestMap(Node.Mapping([]), path: properties.keyPath(propertiesName), file: properties.file)
    }

    private static func element(_ node: Node, path: String, file: String) throws -> ManifestMap {
        guard case .mapping(let mapping) = node else {
            throw ManifestError.value(
                path, "must be a map, got \(ManifestMap.describe(node, secret: false))",
                at: ValueLocation(file: file, line: node.mark?.line))
        }
        return ManifestMap(mapping, path: path, file: file)
    }
}
