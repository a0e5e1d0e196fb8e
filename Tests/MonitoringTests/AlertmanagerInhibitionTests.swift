import Foundation
import Testing
import TestSupport

/// The shipped deploy/alertmanager/alertmanager.yml, unchanged, in a real Alertmanager 0.25: alerts posted
/// with amtool are inhibited as documented (Alertmanager's API reports each alert's state).
struct AlertmanagerInhibitionTests {
    @Test func inhibitRulesSuppressWhatTheyShouldAndNothingElse() throws {
        let amtool = try executablePath("amtool", candidates: ["/usr/bin/amtool"])
        let alertmanager = try AlertmanagerServer.start(configuration: try Repository.read("deploy/alertmanager/alertmanager.yml"))
        defer { alertmanager.stop() }

        let alerts: [[String]] = [
            // The exporter of instance a is down: its domain and collector alerts are inhibited.
            ["alertname=ChatExporterDown", "severity=critical", "job=chat-exporter", "instance=a:9488"],
            ["alertname=ChatCreationTriggerDisabled", "severity=critical", "job=chat-exporter", "instance=a:9488", "trigger=booking_create_chat"],
            ["alertname=ChatExporterCollectorFailing", "severity=warning", "job=chat-exporter", "instance=a:9488", "collector=chat_triggers"],
            // Instance b's database is unreachable from its exporter.
            ["alertname=ChatExporterDatabaseDown", "severity=critical", "job=chat-exporter", "instance=b:9488"],
            ["alertname=ChatCreationBookingsWithoutRoom", "severity=warning", "job=chat-exporter", "instance=b:9488"],
            // Instance c is fine as far as the exporter goes: nothing inhibits its trigger alert.
            ["alertname=ChatCreationTriggerDisabled", "severity=critical", "job=chat-exporter", "instance=c:9488", "trigger=booking_create_chat_update"],
            // The fast burn of one action inhibits the slow burn (ticket) of the same action only.
            ["alertname=ChatCreationAuditErrorBudgetBurn", "severity=critical", "job=chat-exporter", "instance=c:9488", "action=chat.message.send", "long_window=1h", "short_window=5m"],
            ["alertname=ChatCreationAuditErrorBudgetBurn", "severity=warning", "job=chat-exporter", "instance=c:9488", "action=chat.message.send", "long_window=24h", "short_window=2h"],
            ["alertname=ChatCreationAuditErrorBudgetBurn", "severity=warning", "job=chat-exporter", "instance=c:9488", "action=chat.room.create", "long_window=24h", "short_window=2h"],
        ]
        for labels in alerts {
            let command = ["alert", "add", "--alertmanager.url=\(alertmanager.url)"] + labels + ["--annotation=summary=test"]
            let result = try runProcess(amtool, command, timeout: .seconds(30))
            try #require(result.status == 0, "\(describe(result, ["amtool"] + command))")
        }

        func key(_ labels: [String: String]) -> String {
            [labels["alertname"], labels["instance"], labels["action"], labels["trigger"], labels["severity"]]
                .compactMap { $0 }.joined(separator: " ")
        }
        var states: [String: String] = [:]
        try waitUntil(timeout: .seconds(20), pollEvery: .milliseconds(200), "Alertmanager holds the \(alerts.count) alerts") {
            states = [:]
            for alert in try alertmanager.alerts() {
                states[key(alert.labels("labels"))] = alert.object("status")?.string("state")
            }
            return states.count == alerts.count
        }
        let expected: [String: String] = [
            "ChatExporterDown a:9488 critical": "active",
            "ChatCreationTriggerDisabled a:9488 booking_create_chat critical": "suppressed",
            "ChatExporterCollectorFailing a:9488 warning": "suppressed",
            "ChatExporterDatabaseDown b:9488 critical": "active",
            "ChatCreationBookingsWithoutRoom b:9488 warning": "suppressed",
            "ChatCreationTriggerDisabled c:9488 booking_create_chat_update critical": "active",
            "ChatCreationAuditErrorBudgetBurn c:9488 chat.message.send critical": "active",
            "ChatCreationAuditErrorBudgetBurn c:9488 chat.message.send warning": "suppressed",
            "ChatCreationAuditErrorBudgetBurn c:9488 chat.room.create warning": "active",
        ]
        #expect(states == expected, "Alertmanager log:\n\(alertmanager.served.process.logTail())")
    }
}
