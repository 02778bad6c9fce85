import Testing
@testable import Manifest

@Suite struct LoggingFormat {
    @Test func unsetLeavesTheChoiceToTheCommand() throws {
        #expect(try parse(rendered(s3Entry)).logTimestampFormat == nil)
        #expect(try parse(rendered(s3Entry, extra: "logging: {format: {}}")).logTimestampFormat == nil)
    }

    @Test func readsBothFormats() throws {
        #expect(try parse(rendered(s3Entry, extra: "logging: {format: {timestamp: rfc3339}}")).logTimestampFormat == "rfc3339")
        #expect(try parse(rendered(s3Entry, extra: "logging: {format: {timestamp: unix-epoch}}")).logTimestampFormat == "unix-epoch")
        #expect(try parse(rendered(s3Entry, extra: "logging: {format: {timestamp: RFC3339}}")).logTimestampFormat == "rfc3339")
    }

    @Test func readsItUnderABoshJobsProperties() throws {
        let yaml = """
        properties:
          service-backup:
            logging:
              format:
                timestamp: unix-epoch
        """
        #expect(try parse(yaml).logTimestampFormat == "unix-epoch")
    }

    @Test func anUnknownValueNamesTheKey() {
        #expect(errorText(rendered(s3Entry, extra: "logging: {format: {timestamp: iso}}"))
            == #"Invalid config - logging.format.timestamp must be one of rfc3339, unix-epoch, got "iso" (test.yml, line 11)."#)
    }

    @Test func aWrongShapeNamesTheKey() {
        #expect(errorText(rendered(s3Entry, extra: "logging: rfc3339")).hasPrefix("Invalid config - logging must be a map of settings"))
        #expect(errorText(rendered(s3Entry, extra: "logging: {format: rfc3339}")).hasPrefix("Invalid config - logging.format must be a map of settings"))
    }

    @Test func theCatalogListsTheKey() throws {
        let key = try #require(ManifestSchema.key("logging.format.timestamp"))
        #expect(key.allowedValues == ["rfc3339", "unix-epoch"])
        #expect(!key.required && !key.secret && key.defaultValue == nil)
    }
}
