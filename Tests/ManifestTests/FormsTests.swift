import Testing
@testable import Manifest

@Suite struct RenderedForm {
    @Test func readsEveryTopLevelKey() throws {
        let config = try parse("""
            destinations:
            - type: s3
              name: primary
              config:
                bucket_name: my-bucket
                bucket_path: some/path
                access_key_id: AKIAEXAMPLE
                secret_access_key: secretvalue
                endpoint_url: https://minio.example.com:9000
                region: eu-west-1
            source_folder: /var/vcap/store/backups
            source_executable: /var/vcap/jobs/redis/bin/dump --now
            cron_schedule: '0 */6 * * *'
            cleanup_executable: rm -rf /var/vcap/store/backups/*
            service_identifier_executable: /var/vcap/jobs/redis/bin/identify
            exit_if_in_progress: true
            missing_properties_message: Ask the platform team.
            deployment_name: redis-prod
            add_deployment_name_to_backup_path: true
            shutdown_grace_period: 12.5
            aws_cli_path: /var/vcap/packages/aws-cli/bin/aws
            azure_cli_path: /var/vcap/packages/blobxfer/bin/blobxfer
            backup_user: vcap
            some_future_key: ignored
            """)
        #expect(config.sourceFolder == "/var/vcap/store/backups")
        #expect(config.sourceExecutable == "/var/vcap/jobs/redis/bin/dump --now")
        #expect(config.cronSchedule == "0 */6 * * *")
        #expect(config.cleanupExecutable == "rm -rf /var/vcap/store/backups/*")
        #expect(config.serviceIdentifierExecutable == "/var/vcap/jobs/redis/bin/identify")
        #expect(config.exitIfInProgress)
        #expect(config.missingPropertiesMessage == "Ask the platform team.")
        #expect(config.deploymentName == "redis-prod")
        #expect(config.addDeploymentNameToBackupPath)
        #expect(config.shutdownGracePeriod == 12.5)
        #expect(config.alerts == nil)
        #expect(config.destinations.count == 1)
        #expect(config.destinations[0].name == "primary")
        let s3 = try #require(config.firstS3)
        #expect(s3.bucketName == "my-bucket")
        #expect(s3.bucketPath == "some/path")
        #expect(s3.accessKeyID.reveal() == "AKIAEXAMPLE")
        #expect(s3.secretAccessKey.reveal() == "secretvalue")
        #expect(s3.endpointURL == "https://minio.example.com:9000")
        #expect(s3.region == "eu-west-1")
    }

    @Test func defaults() throws {
        let config = try parse(rendered(s3Entry))
        #expect(config.sourceExecutable == nil)
        #expect(config.cleanupExecutable == nil)
        #expect(config.exitIfInProgress == false)
        #expect(config.missingPropertiesMessage == defaultMessage)
        #expect(config.deploymentName == nil)
        #expect(config.addDeploymentNameToBackupPath == false)
        #expect(config.shutdownGracePeriod == 30)
        let s3 = try #require(config.firstS3)
        #expect(s3.endpointURL == nil && s3.region == nil && s3.pathStyle == nil && s3.partSize == nil)
        #expect(s3.tls == TLSSettings())
    }

    @Test func noDestinationsNeedsNothingElse() throws {
        let config = try parse("destinations: []\n")
        #expect(config.destinations.isEmpty)
        #expect(config.cronSchedule == "")
        let nullList = try parse("destinations:\nsource_folder: /x\n")
        #expect(nullList.destinations.isEmpty)
    }

    /// What the original BOSH job rendered: empty strings and nulls for unset keys, an alerts block
    /// with an empty product name, `blob_store_base_url` for Azure and the CLI paths.
    @Test func acceptsTheOriginalJobsRenderedOutput() throws {
        let config = try parse("""
            ---
            destinations:
            - type: s3
              config:
                endpoint_url: ''
                region: ''
                bucket_name: test
                bucket_path: foo/bar
                access_key_id: "*4!'T#f\\"J}A,~Da{)4{jz"
                secret_access_key: itsasecret
                force_path_style: true
            - type: azure
              name: long-term-backups
              config:
                storage_account: some-account
                storage_access_key: c29tZS1hY2Nlc3Mta2V5
                container: some-container
                path: some/path
                blob_store_base_url: core.chinacloudapi.cn
            - type: scp
              config:
                server: foo
                user: user
                destination: /var
                key: akey
                fingerprint: ''
                port: 22
            add_deployment_name_to_backup_path: false
            deployment_name: service-backup
            alerts:
              product_name: ''
              config:
                cloud_controller: {url: '', user: '', password: ''}
                notifications: {service_url: '', cf_org: '', cf_space: '', reply_to: '', client_id: '', client_secret: ''}
                timeout_seconds: 60
                skip_ssl_validation: false
            aws_cli_path: /var/vcap/packages/service-backup_aws-cli/bin/aws
            azure_cli_path: /var/vcap/packages/service-backup_blobxfer/bin/blobxfer
            source_folder: /foo
            source_executable: whoami
            cron_schedule: '*/5 * * * * *'
            backup_user: vcap
            cleanup_executable: somecleanup
            missing_properties_message: custom message
            exit_if_in_progress: false
            service_identifier_executable:
            """)
        #expect(config.destinations.map(\.typeName) == ["s3", "azure", "scp"])
        let s3 = try #require(config.firstS3)
        #expect(s3.endpointURL == nil && s3.region == nil)
        #expect(s3.accessKeyID.reveal() == "*4!'T#f\"J}A,~Da{)4{jz")
        #expect(s3.pathStyle == true)
        guard case .azure(let azure) = config.destinations[1].kind else { Issue.record("not azure"); return }
        #expect(azure.endpoint == "core.chinacloudapi.cn")
        #expect(config.destinations[1].name == "long-term-backups")
        guard case .scp(let scp) = config.destinations[2].kind else { Issue.record("not scp"); return }
        #expect(scp.fingerprint == nil && scp.port == 22)
        #expect(config.alerts == nil)
        #expect(config.serviceIdentifierExecutable == nil)
        #expect(config.deploymentName == "service-backup")
    }

    @Test func alertsRenderedForm() throws {
        let config = try parse(rendered(s3Entry, extra: """
            alerts:
              product_name: MySQL
              config:
                cloud_controller:
                  url: https://api.cf.com
                  user: admin
                  password: ccpassword
                notifications:
                  service_url: https://notifications.cf.com
                  cf_org: system
                  cf_space: mysql-notifications
                  reply_to: me@example.com
                  client_id: notify
                  client_secret: uaasecret
                timeout_seconds: 42
                skip_ssl_validation: true
            """))
        let alerts = try #require(config.alerts)
        #expect(alerts.productName == "MySQL")
        #expect(alerts.cfURL == "https://api.cf.com" && alerts.cfUser == "admin")
        #expect(alerts.cfPassword?.reveal() == "ccpassword")
        #expect(alerts.notificationsServiceURL == "https://notifications.cf.com")
        #expect(alerts.cfOrg == "system" && alerts.cfSpace == "mysql-notifications")
        #expect(alerts.replyTo == "me@example.com" && alerts.clientID == "notify")
        #expect(alerts.clientSecret?.reveal() == "uaasecret")
        #expect(alerts.timeoutSeconds == 42 && alerts.skipSSLValidation)
    }
}

@Suite struct BOSHForm {
    static let settings = """
          service-backup:
            destinations:
            - type: local
              config:
                path: /mnt/nfs/backups
            source_folder: /var/vcap/store/redis
            cron_schedule: '@daily'
        """

    @Test func topLevelProperties() throws {
        let config = try parse("""
            name: redis-on-demand
            releases:
            - {name: service-backup, version: latest}
            instance_groups:
            - name: redis
              jobs:
              - {name: redis-server, release: redis}
              - {name: service-backup, release: service-backup}
            properties:
            \(Self.settings)
            """)
        #expect(try #require(config.firstLocal).path == "/mnt/nfs/backups")
        #expect(config.cronSchedule == "@daily")
        #expect(config.deploymentName == "redis-on-demand")
    }

    @Test func instanceGroupJobProperties() throws {
        let config = try parse("""
            name: mysql
            instance_groups:
            - name: proxy
              jobs:
              - name: proxy
                properties: {port: 3306}
            - name: mysql
              jobs:
              - name: mysql
                properties:
                  service-backup: {source_folder: /wrong}
              - name: service-backup
                release: service-backup
                properties:
            \(Self.settings.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
                      deployment_name: explicit-name
            """)
        #expect(config.sourceFolder == "/var/vcap/store/redis")
        #expect(config.deploymentName == "explicit-name")
    }

    @Test func jobWithoutItsServiceBackupLevelIsRefused() {
        #expect(errorText("""
            name: redis
            instance_groups:
            - name: redis
              jobs:
              - name: service-backup
            """) == "Invalid config - instance_groups[0].jobs[0].properties of the service-backup job has no "
                + "service-backup: level (it has no properties); put the settings under properties.service-backup, "
                + "or write `service-backup: {}` to run without backups (test.yml, line 5).")
        let flattened = errorText("""
            name: redis
            instance_groups:
            - name: redis
              jobs:
              - name: service-backup
                properties:
                  destinations: [{type: local, config: {path: /b}}]
                  cron_schedule: '@daily'
            """)
        #expect(flattened.contains("its properties hold destinations, cron_schedule directly"))
        #expect(flattened.contains("(test.yml, line 7)"))
    }

    @Test func anEmptyServiceBackupLevelInTheJobDisablesBackups() throws {
        let config = try parse("""
            name: redis
            instance_groups:
            - name: redis
              jobs:
              - name: service-backup
                properties: {service-backup: {}}
            """)
        #expect(config.destinations.isEmpty)
    }

    @Test func aFileWithNoServiceBackupSettingsIsRefused() throws {
        for yaml in ["foo: bar\nregoin: x\n", "{}\n", "name: a-release\nversion: 3\n"] {
            #expect(errorText(yaml).hasPrefix("Invalid config - test.yml holds no service-backup settings"), "\(yaml)")
        }
        // One setting is enough to be a manifest: `destinations: []` is how a rendered job says "no backups".
        #expect(try parse("destinations: []\n").destinations.isEmpty)
    }

    @Test func nullSettingsDisableBackups() throws {
        let config = try parse("name: redis\nproperties:\n  service-backup:\n")
        #expect(config.destinations.isEmpty)
        #expect(config.deploymentName == "redis")
    }

    @Test func manifestWithoutAnySettingsIsAnError() {
        #expect(errorText("""
            name: redis
            instance_groups:
            - name: redis
              jobs:
              - name: redis-server
            """) == "Invalid config - test.yml is a BOSH deployment manifest without service-backup settings: "
                + "expected properties.service-backup or an instance group job named service-backup with "
                + "properties.service-backup.")
    }

    @Test func errorsNameTheFullPath() {
        #expect(errorText("""
            name: redis
            properties:
              service-backup:
                destinations:
                - type: scp
                  config: {server: a, user: b, destination: /c, key: d, port: abc}
                source_folder: /x
                cron_schedule: '@daily'
            """) == "Invalid config - properties.service-backup.destinations[0] (scp): config.port must be a whole number, "
                + "got \"abc\" (test.yml, line 6).")
    }

    @Test func alertsPropertyForm() throws {
        let config = try parse("""
            name: mysql
            properties:
              service-backup:
                alerts:
                  product_name: MySQL
                  cloud_controller: {url: https://api.cf.com, user: admin, password: pw}
                  notification_target:
                    url: https://notifications.cf.com
                    skip_ssl_validation: true
                    cf_org: system
                    cf_space: mysql-notifications
                    reply_to: me@example.com
                    authentication:
                      uaa: {url: https://uaa, client_id: admin, client_secret: topsecret}
                  timeout_seconds: 120
            """)
        let alerts = try #require(config.alerts)
        #expect(alerts.notificationsServiceURL == "https://notifications.cf.com")
        #expect(alerts.clientSecret?.reveal() == "topsecret" && alerts.clientID == "admin")
        #expect(alerts.timeoutSeconds == 120 && alerts.skipSSLValidation)
        #expect(alerts.cfPassword?.reveal() == "pw")
    }
}

@Suite struct LegacyForm {
    @Test func s3() throws {
        let config = try parse("""
            properties:
              service-backup:
                destination:
                  s3:
                    bucket_name: bucket
                    bucket_path: path
                    access_key_id: id
                    secret_access_key: secret
                    endpoint_url: https://s3.amazonaws.com
                source_folder: /foo
                source_executable: whoami
                cron_schedule: '*/5 * * * * *'
            """)
        let s3 = try #require(config.firstS3)
        #expect(s3.bucketName == "bucket" && s3.endpointURL == "https://s3.amazonaws.com")
        #expect(config.destinations[0].name == nil)
    }

    @Test func scpAndAzureAtTheTop() throws {
        let scp = try parse("""
            destination:
              scp: {server: foo, user: user, destination: /var, key: akey, port: 2222}
            source_folder: /foo
            cron_schedule: '@hourly'
            """)
        #expect(try #require(scp.firstSCP).port == 2222)
        let azure = try parse("""
            destination:
              azure: {storage_account: acct, storage_access_key: a2V5, container: c, path: p}
            source_folder: /foo
            cron_schedule: '@hourly'
            """)
        #expect(try #require(azure.firstAzure).storageAccount == "acct")
    }

    @Test func oldestBlobstoreForm() throws {
        let config = try parse("""
            blobstore: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s}
            source_folder: /foo
            cron_schedule: '@hourly'
            """)
        #expect(try #require(config.firstS3).bucketName == "b")
    }

    @Test func missingValuesUseTheOriginalPropertyNames() {
        #expect(errorText("""
            destination:
              s3: {access_key_id: i, secret_access_key: s}
            source_folder: /foo
            cron_schedule: '@hourly'
            missing_properties_message: custom message
            """) == "Invalid config - Missing values for service-backup.destination.s3.bucket_name, "
                + "service-backup.destination.s3.bucket_path.\ncustom message")
    }

    @Test func onlyOneDestination() {
        #expect(errorText("""
            destination:
              s3: {bucket_name: b}
              scp: {server: s}
            """) == "Invalid config - You can only specify one backup destination in the manifest.")
    }

    @Test func notTogetherWithDestinations() {
        #expect(errorText(rendered(s3Entry, extra: "destination:\n  scp: {server: s}")).hasPrefix(
            "Invalid config - destination cannot be used together with destinations"))
    }

    /// The shape of the original release's own v1 deployment manifest fixtures.
    @Test func originalV1DeploymentManifest() throws {
        let config = try parse("""
            ---
            name: service-backup

            director_uuid: dc4e8b29-2f3a-4051-8b66-39193791a57b

            releases:
            - name: service-backup
              version: latest

            properties:
              service-backup:
                destination:
                  scp:
                    server: foo
                    user: user
                    destination: /var
                    key: akey
                    port: 22
                source_folder: /foo
                source_executable: whoami
                cron_schedule: '*/5 * * * * *'
                cleanup_executable: somecleanup
                missing_properties_message: custom message

            jobs:
            - name: service-backup
              instances: 1
              templates:
              - {release: service-backup, name: service-backup}

            update:
              canaries: 1
              canary_watch_time: 1000-60000
            """)
        let scp = try #require(config.firstSCP)
        #expect(scp.server == "foo" && scp.user == "user" && scp.destination == "/var" && scp.key.reveal() == "akey")
        #expect(config.cleanupExecutable == "somecleanup" && config.missingPropertiesMessage == "custom message")
        #expect(config.deploymentName == "service-backup")
    }

    @Test func emptyLegacyDestinationMeansNoBackups() throws {
        #expect(try parse("destination: {}\n").destinations.isEmpty)
    }
}
