import Testing
@testable import Manifest

@Suite struct ForgivingValues {
    @Test func quotedNumbersAndBooleans() throws {
        let config = try parse(rendered("""
            - type: scp
              config: {server: s, user: u, destination: /d, key: k, port: "2222", concurrency: ' 8 ', connect_timeout: "2.5"}
            """, extra: """
            exit_if_in_progress: "true"
            add_deployment_name_to_backup_path: "False"
            deployment_name: dep
            shutdown_grace_period: "45"
            """))
        let scp = try #require(config.firstSCP)
        #expect(scp.port == 2222 && scp.concurrency == 8 && scp.connectTimeout == 2.5)
        #expect(config.exitIfInProgress && !config.addDeploymentNameToBackupPath)
        #expect(config.shutdownGracePeriod == 45)
    }

    @Test(arguments: ["true", "True", "TRUE", "yes", "on", "'t'", "1"])
    func trueSpellings(text: String) throws {
        #expect(try parse(rendered(s3Entry, extra: "exit_if_in_progress: \(text)")).exitIfInProgress)
    }

    @Test(arguments: ["false", "no", "off", "0", "'F'"])
    func falseSpellings(text: String) throws {
        #expect(try !parse(rendered(s3Entry, extra: "exit_if_in_progress: \(text)")).exitIfInProgress)
    }

    @Test func numbersAndBooleansWhereStringsBelong() throws {
        let config = try parse(rendered("""
            - type: s3
              name: 42
              config: {bucket_name: 2024, bucket_path: 007, access_key_id: 12345, secret_access_key: true}
            """))
        let s3 = try #require(config.firstS3)
        #expect(s3.bucketName == "2024" && s3.bucketPath == "007")
        #expect(s3.accessKeyID.reveal() == "12345" && s3.secretAccessKey.reveal() == "true")
        #expect(config.destinations[0].name == "42")
    }

    static let sizeSpellings: [(String, Int64)] = [
        ("8388608", 8_388_608), ("64MB", 67_108_864), ("64MiB", 67_108_864), ("64M", 67_108_864),
        ("64 mb", 67_108_864), ("'16777216'", 16_777_216), ("1GiB", 1_073_741_824), ("5G", 5_368_709_120),
        ("5120K", 5_242_880), ("5.5MiB", 5_767_168),
    ]

    @Test(arguments: sizeSpellings)
    func sizes(text: String, bytes: Int64) throws {
        let config = try parse(rendered("""
            - type: s3
              config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s, part_size: \(text)}
            """))
        #expect(try #require(config.firstS3).partSize == bytes)
    }

    @Test func byteSizeParser() {
        #expect(ByteSize.parse("4000MiB") == 4000 << 20)
        #expect(ByteSize.parse("1tb") == 1 << 40)
        #expect(ByteSize.parse("12B") == 12)
        #expect(ByteSize.parse("") == nil)
        #expect(ByteSize.parse("MB") == nil)
        #expect(ByteSize.parse("1.2.3M") == nil)
        #expect(ByteSize.parse("5 XB") == nil)
        #expect(ByteSize.parse("99999999999T") == nil)
        #expect(ByteSize.format(64 << 20) == "64MiB")
        #expect(ByteSize.format(1000) == "1000B")
    }

    @Test func enumeratedValuesIgnoreCase() throws {
        let azure = try parse(rendered("""
            - type: azure
              config: {storage_account: a, storage_access_key: k, container: c, path: p, access_tier: cool,
                       block_size: 8MiB, concurrency: 16, ca_cert: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n",
                       skip_ssl_validation: yes, endpoint: 'http://127.0.0.1:10000/devstoreaccount1'}
            """))
        let settings = try #require(azure.firstAzure)
        #expect(settings.accessTier == "Cool" && settings.blockSize == 8 << 20 && settings.concurrency == 16)
        #expect(settings.tls.skipSSLValidation && settings.tls.caCert?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
        #expect(settings.endpoint == "http://127.0.0.1:10000/devstoreaccount1")
        let s3 = try parse(rendered("""
            - type: s3
              config: {bucket_name: b, bucket_path: p, access_key_id: i, secret_access_key: s,
                       server_side_encryption: AWS:KMS, kms_key_id: key-1, storage_class: STANDARD_IA,
                       endpoint_url: 'minio.local:9000', path_style: false, concurrency: 4}
            """))
        let s3Settings = try #require(s3.firstS3)
        #expect(s3Settings.serverSideEncryption == "aws:kms" && s3Settings.kmsKeyID == "key-1")
        #expect(s3Settings.storageClass == "STANDARD_IA" && s3Settings.pathStyle == false)
        #expect(s3Settings.endpointURL == "https://minio.local:9000")
    }

    @Test func typeNamesIgnoreCase() throws {
        #expect(try parse(rendered("- type: Local\n  config: {path: /x}")).firstLocal?.path == "/x")
    }

    @Test func unknownKeysAreIgnored() throws {
        let config = try parse(rendered("""
            - type: local
              config: {path: /x, future_option: 1}
              future_entry_key: 7
            """, extra: "future_top_level: {a: b}"))
        #expect(config.firstLocal?.path == "/x")
    }
}
