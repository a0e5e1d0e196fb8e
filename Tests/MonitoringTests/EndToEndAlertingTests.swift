import Foundation
import Testing
import TestSupport

/// The whole chain for real: chat-exporter (default collectors) against a test database, Prometheus 2.42
/// scraping it every second and evaluating the SHIPPED alerts/*.rules.yml, Alertmanager 0.25 sending every
/// alert to a webhook this test listens on. A healthy database raises nothing; a disabled trigger and a
/// booking left without a room reach the webhook with the documented labels; every dashboard query
/// returns data.
struct EndToEndAlertingTests {
    @Test(.timeLimit(.minutes(5)))
    func healthyIsQuietAndABrokenTriggerPages() throws {
        let database = try SeedData.database()
        defer { database.drop() }

        // 1. The exporter, ready once every collector has run.
        let exporter = try ExporterProcess.start(arguments: [], environment: ["DATA_SOURCE_NAME": database.keyValueDSN])
        defer { _ = try? exporter.terminate() }
        try exporter.waitUntilListening(timeout: .seconds(20))
        try waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(100), "chat-exporter is ready; its log:\n\(exporter.stderr())") {
            (try? HTTPTestClient.get(port: exporter.port, path: "/-/ready").status) == 200
        }
        let instance = "127.0.0.1:\(exporter.port)"

        // 2. The webhook and Alertmanager: every alert its own group, sent after a second.
        let webhook = try WebhookReceiver()
        defer { webhook.stop() }
        let alertmanager = try AlertmanagerServer.start(configuration: """
            route:
              receiver: webhook
              group_by: ['...']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: webhook
                webhook_configs:
                  - url: '\(webhook.url)'
                    send_resolved: false
            """)
        defer { alertmanager.stop() }

        // 3. Prometheus with the shipped rules, unchanged, scraping and evaluating every second.
        let prometheus = try PrometheusServer.start(configuration: """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            \(try RuleCatalog.ruleFilesSection())
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['127.0.0.1:\(alertmanager.port)']
            scrape_configs:
              - job_name: chat-exporter
                static_configs:
                  - targets: ['\(instance)']
            """)
        defer { prometheus.stop() }

        let loaded = try prometheus.ruleGroups().flatMap { $0.objects("rules") }.count
        let shipped = try RuleCatalog.shipped()
        #expect(loaded == shipped.alerts.count + shipped.recordings.count, "Prometheus loaded \(loaded) rules")

        // 4. Healthy. Wait for scrapes and the first evaluations (before the first scrape, absent() may be
        //    pending for a moment), then nothing may be pending or firing for 30 seconds.
        try waitUntil(timeout: .seconds(30), pollEvery: .milliseconds(250), "Prometheus has scraped chat-exporter; targets: \(String(describing: try? prometheus.targets()))") {
            try prometheus.query(#"count_over_time(chat_exporter_build_info{job="chat-exporter"}[1m])"#).first.map { $0.value >= 3 } ?? false
        }
        try waitUntil(timeout: .seconds(15), pollEvery: .milliseconds(250), "no alert is pending after the first scrapes") {
            try prometheus.alerts().isEmpty
        }
        let quietUntil = ContinuousClock.now + .seconds(30)
        var dashboardsChecked = false
        while ContinuousClock.now < quietUntil {
            let alerts = try prometheus.alerts()
            try #require(alerts.isEmpty, "alerts on a healthy database: \(alerts.map { "\($0.labels("labels")) \($0.string("state") ?? "")" })")
            try #require(webhook.received.isEmpty, "notifications on a healthy database: \(webhook.received)")
            if !dashboardsChecked, ContinuousClock.now > quietUntil - .seconds(15) {
                // Every dashboard query has data once there are a few samples (rates need two).
                try checkDashboardQueriesReturnData(prometheus)
                dashboardsChecked = true
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(dashboardsChecked)

        // 5. Break it the way production breaks: the update trigger is disabled, and a booking created an
        //    hour ago becomes active without its room.
        try database.execute("""
            ALTER TABLE bookings DISABLE TRIGGER booking_create_chat_update;
            UPDATE bookings SET status = 'active', updated_at = now() WHERE id = '\(SeedData.cancelledBooking)';
            """)
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms WHERE student_id = '\(SeedData.student3)'") == "0")

        var received: [[String: Any]] = []
        func find(_ alertname: String) -> [String: Any]? {
            received.first { $0.labels("labels")["alertname"] == alertname && $0.string("status") == "firing" }
        }
        try waitUntil(timeout: .seconds(180), pollEvery: .milliseconds(500),
                      "ChatCreationTriggerDisabled and ChatCreationBookingsWithoutRoom reach the webhook; Prometheus's alerts: \(String(describing: try? prometheus.alerts().map { $0.labels("labels") }))") {
            received = webhook.alerts()
            return find("ChatCreationTriggerDisabled") != nil && find("ChatCreationBookingsWithoutRoom") != nil
        }

        let trigger = try #require(find("ChatCreationTriggerDisabled"))
        #expect(trigger.labels("labels") == [
            "alertname": "ChatCreationTriggerDisabled", "severity": "critical", "trigger": "booking_create_chat_update",
            "job": "chat-exporter", "instance": instance,
        ])
        let triggerAnnotations = trigger.labels("annotations")
        #expect(triggerAnnotations["summary"] == "A chat-creation trigger on bookings is disabled.")
        #expect(triggerAnnotations["description"]?.contains("ALTER TABLE bookings ENABLE TRIGGER booking_create_chat_update;") == true)
        #expect(triggerAnnotations["description"]?.contains(instance) == true)
        #expect(triggerAnnotations["runbook_url"] == (try Repository.runbookBaseURL()) + "ChatCreationTriggerDisabled.md")

        let backlog = try #require(find("ChatCreationBookingsWithoutRoom"))
        #expect(backlog.labels("labels") == [
            "alertname": "ChatCreationBookingsWithoutRoom", "severity": "warning", "job": "chat-exporter", "instance": instance,
            "reason": "missing",
        ])
        let backlogDescription = backlog.labels("annotations")["description"] ?? ""
        #expect(backlogDescription.contains("was created 1h "), "the booking is an hour old: \(backlogDescription)")
        #expect(backlogDescription.contains(#"Active bookings without a room (reason="missing"): 1."#), "\(backlogDescription)")
        #expect(backlog.labels("annotations")["runbook_url"] == (try Repository.runbookBaseURL()) + "ChatCreationBookingsWithoutRoom.md")

        // Nothing else: one disabled trigger and one booking raise exactly these two.
        let names = Set(webhook.alerts().compactMap { $0.labels("labels")["alertname"] })
        #expect(names == ["ChatCreationTriggerDisabled", "ChatCreationBookingsWithoutRoom"])
    }

    /// Runs every panel query and every variable query of dashboards/*.json against `prometheus`, with
    /// the variables set to this test's job and every instance, and expects at least one series each.
    private func checkDashboardQueriesReturnData(_ prometheus: PrometheusServer) throws {
        for dashboard in try Dashboard.all() {
            for query in dashboard.queries {
                let expression = Dashboard.substitute(query.expression)
                let result = try prometheus.query(expression)
                #expect(!result.isEmpty, "\(dashboard.file), panel \"\(query.panel)\" (\(query.refID)) has no data: \(expression)")
                #expect(result.allSatisfy { !$0.value.isNaN }, "\(dashboard.file), panel \"\(query.panel)\": NaN from \(expression)")
            }
            for expression in dashboard.variableExpressions {
                let result = try prometheus.query(Dashboard.substitute(expression))
                #expect(!result.isEmpty, "\(dashboard.file): the variable query over \(expression) has no data")
            }
        }
    }
}
