/// Reads the `config` of each destination type through its catalog keys.
enum DestinationSettingsParser {
    static let concurrencyRange = 1...64

    static func kind(type: String, config: ManifestMap) throws -> DestinationConfiguration.Kind {
        switch type {
        case "s3": .s3(try s3(config))
        case "azure": .azure(try azure(config))
        case "scp": .scp(try scp(config))
        case "gcs": .gcs(try gcs(config))
        default: .local(try local(config))
        }
    }

    static func s3(_ config: ManifestMap) throws -> S3Settings {
        typealias Keys = ManifestSchema.S3
        var settings = S3Settings(
            accessKeyID: try config.secret(Keys.accessKeyID) ?? Secret(""),
            secretAccessKey: try config.secret(Keys.secretAccessKey) ?? Secret(""),
            bucketName: try config.string(Keys.bucketName) ?? "",
            bucketPath: try config.string(Keys.bucketPath) ?? "")
        settings.endpointURL = try url(config, Keys.endpointURL)
        settings.region = try config.string(Keys.region)
        settings.tls = try tls(config, caCert: Keys.caCert, skip: Keys.skipSSLValidation)
        settings.pathStyle = try config.boolean(Keys.pathStyle)
        settings.partSize = try config.size(Keys.partSize, in: S3Settings.partSizeRange)
        settings.concurrency = try config.integer(Keys.concurrency, in: S3Settings.concurrencyRange)
        settings.serverSideEncryption = try config.string(Keys.serverSideEncryption)
        settings.kmsKeyID = try config.string(Keys.kmsKeyID)
        settings.storageClass = try config.string(Keys.storageClass)
        settings.retry = try retry(
            config, attempts: Keys.retryAttempts, timeout: Keys.retryTimeout, stall: Keys.stallTimeout, defaults: .http)
        settings.sessionToken = try config.secret(Keys.sessionToken)
        settings.credentialsSource = try config.string(Keys.credentialsSource).flatMap(S3CredentialsSource.init(rawValue:)) ?? .static
        if settings.kmsKeyID != nil, settings.serverSideEncryption != "aws:kms" {
            let node = config.lookup(Keys.kmsKeyID)?.node
            throw ManifestError.value(
                config.keyPath(Keys.kmsKeyID.name), "is only used with server_side_encryption: aws:kms",
                at: config.location(of: node))
        }
        return settings
    }

    static func azure(_ config: ManifestMap) throws -> AzureSettings {
        typealias Keys = ManifestSchema.Azure
        var settings = AzureSettings(
            storageAccount: try config.string(Keys.storageAccount) ?? "",
            storageAccessKey: try config.secret(Keys.storageAccessKey) ?? Secret(""),
            container: try config.string(Keys.container) ?? "",
            path: try config.string(Keys.path) ?? "")
        settings.endpoint = try config.string(Keys.endpoint)
        settings.tls = try tls(config, caCert: Keys.caCert, skip: Keys.skipSSLValidation)
        settings.blockSize = try config.size(Keys.blockSize, in: AzureSettings.blockSizeRange)
        settings.concurrency = try config.integer(Keys.concurrency, in: AzureSettings.concurrencyRange)
        settings.accessTier = try config.string(Keys.accessTier)
        settings.retry = try retry(
            config, attempts: Keys.retryAttempts, timeout: Keys.retryTimeout, stall: Keys.stallTimeout, defaults: .http)
        settings.sasToken = try config.secret(Keys.sasToken).map { Secret(String($0.reveal().drop { $0 == "?" })) }
        return settings
    }

    static func scp(_ config: ManifestMap) throws -> SCPSettings {
        typealias Keys = ManifestSchema.SCP
        var settings = SCPSettings(
            server: try config.string(Keys.server) ?? "",
            user: try config.string(Keys.user) ?? "",
            destination: try config.string(Keys.destination) ?? "",
            key: try config.secret(Keys.key) ?? Secret(""))
        settings.port = try config.integer(Keys.port, in: 1...65_535) ?? 22
        settings.fingerprint = try config.string(Keys.fingerprint)
        settings.connectTimeout = try config.number(Keys.connectTimeout, atLeast: 0, orMoreThan: true, atMost: 86_400)
        settings.concurrency = try config.integer(Keys.concurrency, in: SCPSettings.concurrencyRange)
        settings.retry = try retry(
            config, attempts: Keys.retryAttempts, timeout: Keys.retryTimeout, stall: Keys.stallTimeout, defaults: .ssh)
        return settings
    }

    static func gcs(_ config: ManifestMap) throws -> GCSSettings {
        typealias Keys = ManifestSchema.GCS
        var settings = GCSSettings(
            serviceAccountJSON: try config.secret(Keys.serviceAccountJSON) ?? Secret(""),
            projectID: try config.string(Keys.projectID) ?? "",
            bucketName: try config.string(Keys.bucketName) ?? "")
        settings.endpoint = try url(config, Keys.endpoint)
        settings.chunkSize = try config.size(Keys.chunkSize, in: GCSSettings.chunkSizeRange)
        settings.concurrency = try config.integer(Keys.concurrency, in: GCSSettings.concurrencyRange)
        settings.retry = try retry(
            config, attempts: Keys.retryAttempts, timeout: Keys.retryTimeout, stall: Keys.stallTimeout, defaults: .http)
        return settings
    }

    static func local(_ config: ManifestMap) throws -> LocalSettings {
        LocalSettings(path: try config.string(ManifestSchema.Local.path) ?? "")
    }

    /// An endpoint URL; `host[:port]` without a scheme means `https://host[:port]`.
    private static func url(_ config: ManifestMap, _ key: ManifestKey) throws -> String? {
        guard let text = try config.string(key), let (name, node) = config.lookup(key) else { return nil }
        guard let schemeEnd = text.range(of: "://") else { return "https://" + text }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https", schemeEnd.upperBound < text.endIndex else {
            throw config.typeError(key, name, node, "must be an http:// or https:// URL")
        }
        return text
    }

    /// `retry_attempts`, `retry_timeout` and `stall_timeout`; a missing one takes its value from `defaults`.
    private static func retry(
        _ config: ManifestMap, attempts: ManifestKey, timeout: ManifestKey, stall: ManifestKey,
        defaults: RetrySettings
    ) throws -> RetrySettings {
        let limit = RetrySettings.maximumSeconds
        return RetrySettings(
            attempts: try config.integer(attempts, in: RetrySettings.attemptsRange) ?? defaults.attempts,
            timeoutSeconds: try config.number(timeout, atLeast: 0, orMoreThan: true, atMost: limit)
                ?? defaults.timeoutSeconds,
            stallSeconds: try config.number(stall, atLeast: 0, orMoreThan: true, atMost: limit)
                ?? defaults.stallSeconds)
    }

    private static func tls(_ config: ManifestMap, caCert: ManifestKey, skip: ManifestKey) throws -> TLSSettings {
        let pem = try config.string(caCert)
        if let pem, !pem.contains("-----BEGIN CERTIFICATE-----"), let (name, node) = config.lookup(caCert) {
            throw config.typeError(caCert, name, node, "must be PEM text with -----BEGIN CERTIFICATE-----")
        }
        return TLSSettings(caCert: pem, skipSSLValidation: try config.boolean(skip) ?? false)
    }
}
