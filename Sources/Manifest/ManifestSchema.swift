/// The machine-readable catalog of every manifest key the daemon reads. The parser reads keys only
/// through these entries (types, required lists and their order, secrecy, defaults), so the catalog
/// and the parser cannot disagree. See ``ManifestKey`` for the path scheme.
public enum ManifestSchema {
    public static let keys: [ManifestKey] =
        Settings.all + Politeness.all + Alerts.all + Entry.all + S3.all + Azure.all + SCP.all + Local.all + GCS.all

    /// The destination types a manifest may use, in the order they are documented.
    public static let destinationTypes = ["s3", "azure", "scp", "local", "gcs"]

    /// The key at `path`, or nil.
    public static func key(_ path: String) -> ManifestKey? {
        keys.first { $0.path == path }
    }

    /// The keys inside `config` of a destination of `type` (`s3.bucket_name`, …), in catalog order.
    public static func configKeys(forType type: String) -> [ManifestKey] {
        keys.filter { $0.path.hasPrefix(type + ".") && destinationTypes.contains(type) }
    }

    /// The required `config` keys of `type`, in the order the original lists them in its errors.
    public static func requiredConfigKeys(forType type: String) -> [ManifestKey] {
        configKeys(forType: type).filter(\.required)
    }

    enum Settings {
        static let destinations = ManifestKey(
            "destinations", .list, "Where backups go: a list of {type, name, config}; none means backups are skipped.")
        static let legacyDestination = ManifestKey(
            "destination", .map,
            "Older single-destination form: {s3: {...}}, {azure: {...}} or {scp: {...}}; use destinations instead.")
        static let legacyBlobstore = ManifestKey(
            "blobstore", .map, "Oldest single-destination form: the keys of an s3 destination; use destinations instead.")
        static let sourceFolder = ManifestKey(
            "source_folder", .string, required: true,
            "Local folder whose files are uploaded (required when there is a destination).")
        static let sourceExecutable = ManifestKey(
            "source_executable", .string,
            "Command run before each upload, e.g. to dump the service's data; split on spaces.")
        static let cronSchedule = ManifestKey(
            "cron_schedule", .string, required: true,
            "When backups run: a robfig/cron v3 expression (required when there is a destination).")
        static let cleanupExecutable = ManifestKey(
            "cleanup_executable", .string, "Command run after every destination has the backup; split on spaces.")
        static let serviceIdentifierExecutable = ManifestKey(
            "service_identifier_executable", .string,
            "Command printing the service instance's identifier, added to every log line.")
        static let exitIfInProgress = ManifestKey(
            "exit_if_in_progress", .boolean, default: "false",
            "Skip a scheduled backup while the previous one is still running.")
        static let missingPropertiesMessage = ManifestKey(
            "missing_properties_message", .string, default: BackupConfiguration.defaultMissingPropertiesMessage,
            "Text added on the line after each configuration error.")
        static let deploymentName = ManifestKey(
            "deployment_name", .string,
            "Deployment name for backup paths; defaults to a BOSH manifest's top-level name.")
        static let addDeploymentName = ManifestKey(
            "add_deployment_name_to_backup_path", .boolean, default: "false",
            "Insert deployment_name between a destination's base path and the date folders.")
        static let shutdownGracePeriod = ManifestKey(
            "shutdown_grace_period", .number, default: "30",
            "Seconds a running command gets between SIGTERM and SIGKILL when the daemon stops.")
        static let runFolders = ManifestKey(
            "run_folders", .boolean, default: "false",
            "Write each run under `<day folder>/<run id>/`, so a run never replaces another's files.")
        static let staleUploadAge = ManifestKey(
            "stale_upload_age", .number, default: String(Int(BackupConfiguration.defaultStaleUploadAge)),
            "Seconds after which an interrupted run's incomplete uploads and temporary files are removed, 60 to 31536000.")
        static let stateDir = ManifestKey(
            "state_dir", .string,
            "Absolute folder of the status file `service-backup status` reads; when empty /var/lib/service-backup if "
                + "writable, else $XDG_STATE_HOME/service-backup (~/.local/state/service-backup).")
        static let metricsFile = ManifestKey(
            "metrics_file", .string,
            "Absolute path of a Prometheus text file (ending in .prom) for node_exporter's textfile collector; none when empty.")
        static let awsCLIPath = ManifestKey(
            "aws_cli_path", .string, ignored: true, "Accepted for compatibility; unused (S3 is spoken directly).")
        static let azureCLIPath = ManifestKey(
            "azure_cli_path", .string, ignored: true, "Accepted for compatibility; unused (Azure is spoken directly).")
        static let backupUser = ManifestKey(
            "backup_user", .string, ignored: true, "Read by the BOSH job's start script, not by the daemon.")
        static let logTimestampFormat = ManifestKey(
            "logging.format.timestamp", .string, allowed: ["rfc3339", "unix-epoch"],
            "Log line format: rfc3339 (lager's pretty lines) or unix-epoch (classic lines); when unset the daemon "
                + "writes rfc3339 and backup/manual-backup unix-epoch. --log-format overrides it.")

        static let all = [
            destinations, legacyDestination, legacyBlobstore, sourceFolder, sourceExecutable, cronSchedule, cleanupExecutable,
            serviceIdentifierExecutable, exitIfInProgress, missingPropertiesMessage, deploymentName,
            addDeploymentName, shutdownGracePeriod, runFolders, staleUploadAge, awsCLIPath, azureCLIPath, backupUser,
            stateDir, metricsFile, logTimestampFormat,
        ]
        /// Required when at least one destination exists, in the original's order.
        static let requiredWithDestinations = all.filter(\.required)
    }

    /// The original's `alerts` block as the BOSH job renders it; a BOSH manifest's property form
    /// (`alerts.cloud_controller`, `alerts.notification_target`) is read through the aliases.
    enum Alerts {
        static let productName = ManifestKey(
            "alerts.product_name", .string, "Product named in failure alerts; no alerts when empty.")
        static let ccURL = ManifestKey(
            "alerts.config.cloud_controller.url", .string, aliases: ["alerts.cloud_controller.url"],
            "Cloud Controller API URL used to send alerts.")
        static let ccUser = ManifestKey(
            "alerts.config.cloud_controller.user", .string, aliases: ["alerts.cloud_controller.user"],
            "Cloud Controller user for alerts.")
        static let ccPassword = ManifestKey(
            "alerts.config.cloud_controller.password", .string, secret: true,
            aliases: ["alerts.cloud_controller.password"], "Cloud Controller password for alerts.")
        static let serviceURL = ManifestKey(
            "alerts.config.notifications.service_url", .string, aliases: ["alerts.notification_target.url"],
            "Notifications service URL.")
        static let cfOrg = ManifestKey(
            "alerts.config.notifications.cf_org", .string, aliases: ["alerts.notification_target.cf_org"],
            "Org whose space developers receive alerts.")
        static let cfSpace = ManifestKey(
            "alerts.config.notifications.cf_space", .string, aliases: ["alerts.notification_target.cf_space"],
            "Space whose developers receive alerts.")
        static let replyTo = ManifestKey(
            "alerts.config.notifications.reply_to", .string, aliases: ["alerts.notification_target.reply_to"],
            "Reply-to address of alert emails.")
        static let clientID = ManifestKey(
            "alerts.config.notifications.client_id", .string,
            aliases: ["alerts.notification_target.authentication.uaa.client_id"], "UAA client for notifications.")
        static let clientSecret = ManifestKey(
            "alerts.config.notifications.client_secret", .string, secret: true,
            aliases: ["alerts.notification_target.authentication.uaa.client_secret"],
            "UAA client secret for notifications.")
        static let timeoutSeconds = ManifestKey(
            "alerts.config.timeout_seconds", .integer, default: "60", aliases: ["alerts.timeout_seconds"],
            "Seconds allowed for sending one alert.")
        static let skipSSLValidation = ManifestKey(
            "alerts.config.skip_ssl_validation", .boolean, default: "false",
            aliases: ["alerts.notification_target.skip_ssl_validation"],
            "Do not verify TLS certificates when sending alerts.")

        static let webhookURL = ManifestKey(
            "alerts.webhook_url", .string, secret: true,
            "URL that receives a POST of each alert as a JSON document; logged by its host only.")
        static let webhookHeaders = ManifestKey(
            "alerts.webhook_headers", .map, secret: true,
            "Headers added to each webhook POST (e.g. Authorization); their values are never logged.")
        static let executable = ManifestKey(
            "alerts.executable", .string,
            "Command run for each alert with the JSON document on stdin; split on spaces.")
        static let on = ManifestKey(
            "alerts.on", .list, default: "failure", allowed: AlertEvent.allCases.map(\.rawValue),
            "Events that send alerts: failure, success, missed (a scheduled time that passed with no run).")
        static let heartbeatURL = ManifestKey(
            "alerts.heartbeat_url", .string, secret: true,
            "URL fetched (GET) after every successful backup, for dead man's switch monitoring such as healthchecks.io.")

        static let all = [
            productName, ccURL, ccUser, ccPassword, serviceURL, cfOrg, cfSpace, replyTo, clientID, clientSecret,
            timeoutSeconds, skipSSLValidation, webhookURL, webhookHeaders, executable, on, heartbeatURL,
        ]
    }

    enum Entry {
        static let type = ManifestKey(
            "destinations[].type", .string, required: true, allowed: ManifestSchema.destinationTypes,
            "Destination type: s3, azure, scp, local or gcs.")
        static let name = ManifestKey(
            "destinations[].name", .string, "Name shown as destination_name in this destination's log lines.")
        static let config = ManifestKey(
            "destinations[].config", .map, required: true, "The settings of the destination's type.")
        static let retention = ManifestKey(
            "destinations[].retention", .map,
            "Deletes old runs after each successful run on this destination; none are deleted when absent.")
        static let keepDays = ManifestKey(
            "destinations[].retention.keep_days", .integer,
            "Complete runs younger than this many days are kept, 1 to 36500.")
        static let keepRuns = ManifestKey(
            "destinations[].retention.keep_runs", .integer,
            "The newest this many complete runs are kept, 1 to 36500; a run goes only when outside keep_days too.")
        static let keepIncompleteDays = ManifestKey(
            "destinations[].retention.keep_incomplete_days", .integer,
            default: String(RetentionSettings.defaultKeepIncompleteDays),
            "Runs without a manifest (failed, or written by the original tool) younger than this many days (or than keep_days) are kept.")
        static let all = [type, name, config, retention, keepDays, keepRuns, keepIncompleteDays]
    }

    /// The keys every remote destination type (s3, azure, scp, gcs) has for retries and stalled transfers.
    enum Retry {
        /// `unit` is what one retry repeats: a request (s3, azure) or a file (scp).
        static func attempts(_ type: String, unit: String) -> ManifestKey {
            ManifestKey(
                "\(type).retry_attempts", .integer, default: String(RetrySettings.defaultAttempts),
                "Tries of each \(unit), the first included, 1 to 20; errors a retry cannot fix fail at once.")
        }

        static func timeout(_ type: String, unit: String) -> ManifestKey {
            ManifestKey(
                "\(type).retry_timeout", .number, default: String(RetrySettings.defaultTimeoutSeconds),
                "Seconds a \(unit) may be retried for, from its first failure; no try starts later, \(upTo).")
        }

        static func stallTimeout(_ type: String, default seconds: Int, _ summary: String) -> ManifestKey {
            ManifestKey("\(type).stall_timeout", .number, default: String(seconds), summary)
        }

        static let httpStallSummary =
            "Seconds a request may move no byte before it is abandoned and tried again, \(upTo)."
        static let upTo = "up to \(Int(RetrySettings.maximumSeconds))"
    }

    enum S3 {
        static let accessKeyID = ManifestKey("s3.access_key_id", .string, required: true, secret: true, "Access key id; empty with credentials_source: instance_profile.")
        static let secretAccessKey = ManifestKey(
            "s3.secret_access_key", .string, required: true, secret: true, "Secret access key; empty with credentials_source: instance_profile.")
        static let bucketName = ManifestKey(
            "s3.bucket_name", .string, required: true, "Bucket; created when it does not exist.")
        static let bucketPath = ManifestKey(
            "s3.bucket_path", .string, required: true, "Key prefix inside the bucket.")
        static let endpointURL = ManifestKey(
            "s3.endpoint_url", .string,
            "S3-compatible endpoint (MinIO, Ceph, https://storage.googleapis.com); AWS when empty.")
        static let region = ManifestKey(
            "s3.region", .string, "Bucket region; discovered from the bucket when empty.")
        static let caCert = ManifestKey(
            "s3.ca_cert", .string, "PEM certificates trusted in addition to the system's.")
        static let skipSSLValidation = ManifestKey(
            "s3.skip_ssl_validation", .boolean, default: "false", "Do not verify the endpoint's TLS certificate.")
        static let pathStyle = ManifestKey(
            "s3.path_style", .boolean, aliases: ["s3.force_path_style"],
            "Path-style addressing; defaults to true when endpoint_url is set, virtual-hosted otherwise.")
        static let partSize = ManifestKey(
            "s3.part_size", .size,
            "Multipart part size, \(ByteSize.format(S3Settings.partSizeRange.lowerBound)) to "
                + "\(ByteSize.format(S3Settings.partSizeRange.upperBound)) "
                + "(\(ByteSize.format(S3Settings.defaultPartSize)) when unset); grows so a file never needs over 10000 parts.")
        static let concurrency = ManifestKey(
            "s3.concurrency", .integer,
            "Parts and files uploaded at once, \(S3Settings.concurrencyRange.lowerBound) to "
                + "\(S3Settings.concurrencyRange.upperBound), fixed; when unset, \(S3Settings.defaultConcurrency) files at once "
                + "whose parts in flight adapt to the link from \(S3Settings.adaptiveConcurrencyStart), 1 to "
                + "\(S3Settings.adaptiveConcurrencyCeiling).")
        static let serverSideEncryption = ManifestKey(
            "s3.server_side_encryption", .string, allowed: ["AES256", "aws:kms"], "Server-side encryption of objects.")
        static let kmsKeyID = ManifestKey(
            "s3.kms_key_id", .string, "KMS key for server_side_encryption: aws:kms.")
        static let storageClass = ManifestKey(
            "s3.storage_class", .string, "Storage class of uploaded objects, e.g. STANDARD_IA.")
        static let retryAttempts = Retry.attempts("s3", unit: "request")
        static let retryTimeout = Retry.timeout("s3", unit: "request")
        static let stallTimeout = Retry.stallTimeout(
            "s3", default: RetrySettings.defaultHTTPStallSeconds, Retry.httpStallSummary)
        static let sessionToken = ManifestKey(
            "s3.session_token", .string, secret: true,
            "Session token of temporary keys (STS), sent as x-amz-security-token with access_key_id and secret_access_key.")
        static let credentialsSource = ManifestKey(
            "s3.credentials_source", .string, default: S3CredentialsSource.static.rawValue,
            allowed: S3CredentialsSource.allCases.map(\.rawValue),
            "static: the keys above; instance_profile: the EC2 instance role's temporary keys from the instance "
                + "metadata service (IMDSv2), renewed before they expire; access_key_id and secret_access_key then stay empty.")

        static let all = [
            accessKeyID, secretAccessKey, bucketName, bucketPath, endpointURL, region, caCert, skipSSLValidation,
            pathStyle, partSize, concurrency, serverSideEncryption, kmsKeyID, storageClass, retryAttempts,
            retryTimeout, stallTimeout, sessionToken, credentialsSource, bandwidthLimit,
        ]
        static let bandwidthLimit = Politeness.bandwidthLimit("s3")
    }

    enum Azure {
        static let storageAccount = ManifestKey(
            "azure.storage_account", .string, required: true, "Storage account name.")
        static let storageAccessKey = ManifestKey(
            "azure.storage_access_key", .string, required: true, secret: true, "Storage account access key (base64); empty when sas_token is given.")
        static let container = ManifestKey(
            "azure.container", .string, required: true, "Container; created when it does not exist.")
        static let path = ManifestKey("azure.path", .string, required: true, "Blob name prefix inside the container.")
        static let endpoint = ManifestKey(
            "azure.endpoint", .string, default: AzureSettings.defaultEndpointSuffix, aliases: ["azure.blob_store_base_url"],
            "Storage domain suffix (core.windows.net) or a full blob service URL.")
        static let caCert = ManifestKey(
            "azure.ca_cert", .string, "PEM certificates trusted in addition to the system's.")
        static let skipSSLValidation = ManifestKey(
            "azure.skip_ssl_validation", .boolean, default: "false", "Do not verify the endpoint's TLS certificate.")
        static let blockSize = ManifestKey(
            "azure.block_size", .size,
            "Block size, \(ByteSize.format(AzureSettings.blockSizeRange.lowerBound)) to "
                + "\(ByteSize.format(AzureSettings.blockSizeRange.upperBound)) "
                + "(\(ByteSize.format(AzureSettings.defaultBlockSize)) when unset); "
                + "grows so a blob never needs over \(AzureSettings.maximumBlocks) blocks.")
        static let concurrency = ManifestKey(
            "azure.concurrency", .integer,
            "Blocks and files uploaded at once, \(AzureSettings.concurrencyRange.lowerBound) to "
                + "\(AzureSettings.concurrencyRange.upperBound), fixed; when unset, \(AzureSettings.defaultConcurrency) files at once "
                + "whose blocks in flight adapt to the link from \(AzureSettings.adaptiveConcurrencyStart), 1 to "
                + "\(AzureSettings.adaptiveConcurrencyCeiling).")
        static let accessTier = ManifestKey(
            "azure.access_tier", .string, allowed: AzureSettings.accessTiers, "Access tier of uploaded blobs.")
        static let retryAttempts = Retry.attempts("azure", unit: "request")
        static let retryTimeout = Retry.timeout("azure", unit: "request")
        static let stallTimeout = Retry.stallTimeout(
            "azure", default: RetrySettings.defaultHTTPStallSeconds, Retry.httpStallSummary)
        static let sasToken = ManifestKey(
            "azure.sas_token", .string, secret: true,
            "Shared access signature (a container or account SAS, with or without its leading ?) used instead of "
                + "storage_access_key; a container SAS needs the container to exist.")

        static let all = [
            storageAccount, storageAccessKey, container, path, endpoint, caCert, skipSSLValidation, blockSize,
            concurrency, accessTier, retryAttempts, retryTimeout, stallTimeout, sasToken, bandwidthLimit,
        ]
        static let bandwidthLimit = Politeness.bandwidthLimit("azure")
    }

    enum SCP {
        static let server = ManifestKey("scp.server", .string, required: true, "SSH server host name or address.")
        static let user = ManifestKey("scp.user", .string, required: true, "SSH user.")
        static let destination = ManifestKey(
            "scp.destination", .string, required: true, "Folder on the server that receives backups.")
        static let key = ManifestKey(
            "scp.key", .string, required: true, secret: true, "Private key text (PEM or OpenSSH format).")
        static let port = ManifestKey("scp.port", .integer, default: "22", "SSH port.")
        static let fingerprint = ManifestKey(
            "scp.fingerprint", .string,
            "Pinned host key: known_hosts lines, SHA256:<base64> or an MD5 fingerprint; unpinned when empty.")
        static let connectTimeout = ManifestKey(
            "scp.connect_timeout", .number, "Seconds allowed for connecting and authenticating (30 when unset).")
        static let concurrency = ManifestKey(
            "scp.concurrency", .integer,
            "Files copied at once over parallel SSH sessions, \(SCPSettings.concurrencyRange.lowerBound) to "
                + "\(SCPSettings.concurrencyRange.upperBound) (\(SCPSettings.defaultConcurrency) when unset).")
        static let retryAttempts = Retry.attempts("scp", unit: "file")
        static let retryTimeout = Retry.timeout("scp", unit: "file")
        static let stallTimeout = Retry.stallTimeout(
            "scp", default: RetrySettings.defaultSSHStallSeconds,
            "Seconds one SSH step (handshake, write, rename) may hang before it is abandoned and tried again, "
                + "\(Retry.upTo).")

        static let all = [
            server, user, destination, key, port, fingerprint, connectTimeout, concurrency, retryAttempts,
            retryTimeout, stallTimeout, bandwidthLimit,
        ]
        static let bandwidthLimit = Politeness.bandwidthLimit("scp")
    }

    enum Local {
        static let path = ManifestKey("local.path", .string, required: true, "Folder that receives backups.")
        static let all = [path, bandwidthLimit]
        static let bandwidthLimit = Politeness.bandwidthLimit("local")
    }

    enum GCS {
        static let serviceAccountJSON = ManifestKey(
            "gcs.service_account_json", .string, required: true, secret: true,
            "The service account's JSON key file, as text; its private key signs the OAuth 2.0 token requests.")
        static let projectID = ManifestKey(
            "gcs.project_id", .string, required: true, "Project the bucket is created in when it does not exist.")
        static let bucketName = ManifestKey(
            "gcs.bucket_name", .string, required: true,
            "Bucket; created when it does not exist. Backups go to its root: [deployment_name/]YYYY/MM/DD/.")
        static let endpoint = ManifestKey(
            "gcs.endpoint", .string, default: GCSSettings.defaultEndpoint,
            "Base URL of the JSON API; /storage/v1/ and /upload/storage/v1/ are added to it.")
        static let chunkSize = ManifestKey(
            "gcs.chunk_size", .size,
            "Bytes per request of a resumable upload, a multiple of 256KiB from "
                + "\(ByteSize.format(GCSSettings.chunkSizeRange.lowerBound)) to "
                + "\(ByteSize.format(GCSSettings.chunkSizeRange.upperBound)) "
                + "(\(ByteSize.format(GCSSettings.defaultChunkSize)) when unset).")
        static let concurrency = ManifestKey(
            "gcs.concurrency", .integer,
            "Files uploaded at once, \(GCSSettings.concurrencyRange.lowerBound) to "
                + "\(GCSSettings.concurrencyRange.upperBound) (\(GCSSettings.defaultConcurrency) when unset).")
        static let retryAttempts = Retry.attempts("gcs", unit: "request")
        static let retryTimeout = Retry.timeout("gcs", unit: "request")
        static let stallTimeout = Retry.stallTimeout(
            "gcs", default: RetrySettings.defaultHTTPStallSeconds, Retry.httpStallSummary)

        static let all = [
            serviceAccountJSON, projectID, bucketName, endpoint, chunkSize, concurrency, retryAttempts, retryTimeout,
            stallTimeout, bandwidthLimit,
        ]
        static let bandwidthLimit = Politeness.bandwidthLimit("gcs")
    }
}
