import Testing
@testable import Manifest

@Suite struct AlertHooksTests {
    static let headerSecret = "Bearer HEADER-SECRET-77"

    @Test func absentBlockMeansDefaults() throws {
        let hooks = try parse(rendered(s3Entry)).alertHooks
        #expect(hooks == AlertHooks())
        #expect(hooks.events == [.failure] && hooks.timeoutSeconds == 60 && !hooks.skipSSLValidation)
    }

    @Test func hooksWithoutProductName() throws {
        let config = try parse(rendered(s3Entry, extra: """
            alerts:
              webhook_url: https://hooks.example.com/T0/B0/xyz
              webhook_headers: {Authorization: "\(Self.headerSecret)", X-Team: data}
              executable: /bin/alert --json
              on: [missed, success]
              heartbeat_url: https://hc-ping.com/5f0c
              timeout_seconds: 9
            """))
        #expect(config.alerts == nil)
        let hooks = config.alertHooks
        #expect(hooks.webhookURL?.reveal() == "https://hooks.example.com/T0/B0/xyz")
        #expect(hooks.webhookHeaders.map(\.name) == ["Authorization", "X-Team"])
        #expect(hooks.webhookHeaders.first?.value.reveal() == Self.headerSecret)
        #expect(hooks.executable == "/bin/alert --json")
        #expect(hooks.events == [.missed, .success])
        #expect(hooks.heartbeatURL?.reveal() == "https://hc-ping.com/5f0c")
        #expect(hooks.timeoutSeconds == 9)
        #expect(!"\(config)".contains(Self.headerSecret) && !"\(config)".contains("T0/B0/xyz"))
        #expect(config.alertsSummaryLines == [
            "alerts: webhook https://hooks.example.com with headers Authorization, X-Team",
            "alerts: executable /bin/alert --json",
            "alerts: heartbeat https://hc-ping.com after every successful backup",
            "alerts on: success, missed",
        ])
    }

    @Test func theOriginalsTimeoutAndTLSSettingApplyToTheHooks() throws {
        let config = try parse(rendered(s3Entry, extra: """
            alerts:
              product_name: MySQL
              config:
                timeout_seconds: 5
                skip_ssl_validation: true
              webhook_url: http://127.0.0.1:9/x
              on: failure
            """))
        #expect(config.alerts?.timeoutSeconds == 5 && config.alerts?.skipSSLValidation == true)
        #expect(config.alertHooks.timeoutSeconds == 5 && config.alertHooks.skipSSLValidation)
        #expect(config.alertHooks.events == [.failure])
    }

    @Test func badEventsNameTheKey() {
        #expect(errorText(rendered(s3Entry, extra: "alerts:\n  on: [failure, sometimes]"))
            == "Invalid config - alerts.on must list events among failure, success, missed, got \"sometimes\" (test.yml, line 12).")
        #expect(errorText(rendered(s3Entry, extra: "alerts:\n  on: {failure: true}")).contains("alerts.on must be a list of events"))
    }

    @Test func badHeadersNeverShowTheirValue() {
        let multiline = errorText(rendered(s3Entry, extra: "alerts:\n  webhook_headers:\n    Authorization: \"a\\nHEADER-SECRET\""))
        #expect(multiline.contains("alerts.webhook_headers.Authorization must be one line"))
        #expect(!multiline.contains("HEADER-SECRET"))
        let nested = errorText(rendered(s3Entry, extra: "alerts:\n  webhook_headers:\n    Authorization: [HEADER-SECRET]"))
        #expect(nested.contains("alerts.webhook_headers.Authorization must be a string, got a list"))
        #expect(!nested.contains("HEADER-SECRET"))
        let list = errorText(rendered(s3Entry, extra: "alerts:\n  webhook_headers: [HEADER-SECRET]"))
        #expect(list.contains("alerts.webhook_headers must be a map of settings") && !list.contains("HEADER-SECRET"))
    }

    @Test func urlsMustBeHTTP() {
        let text = errorText(rendered(s3Entry, extra: "alerts:\n  heartbeat_url: ftp://host/URL-SECRET"))
        #expect(text.contains("alerts.heartbeat_url must be an http:// or https:// URL"))
        #expect(!text.contains("URL-SECRET"))
    }
}
