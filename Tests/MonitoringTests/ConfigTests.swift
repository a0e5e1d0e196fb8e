import Foundation
import Testing
import TestSupport

/// deploy/prometheus, deploy/alertmanager and deploy/grafana: valid for the tools that read them.
struct ConfigTests {
    @Test func prometheusConfigIsValidAndLoadsTheShippedRules() throws {
        let promtool = try executablePath("promtool", candidates: ["/usr/bin/promtool"])
        // In place: its rule_files (../../alerts/*.rules.yml) resolve against its own directory.
        let file = Repository.path("deploy/prometheus/prometheus.yml")
        let result = try runProcess(promtool, ["check", "config", file], timeout: .seconds(60))
        #expect(result.status == 0, "\(describe(result, ["promtool", "check", "config", file]))")
        let output = result.stdout + result.stderr
        for rules in try Repository.ruleFiles() {
            #expect(output.contains(URL(fileURLWithPath: rules).lastPathComponent), "promtool check config did not load \(rules):\n\(output)")
        }
        let text = try Repository.read("deploy/prometheus/prometheus.yml")
        #expect(text.contains("job_name: chat-exporter\n"), "the scrape job is named chat-exporter (the rules match job=~\"chat-exporter.*\")")
        #expect(text.contains("'localhost:9488'"), "the exporter's port 9488")
        #expect(text.contains("'localhost:9093'"), "Alertmanager on 9093")
    }

    @Test func alertmanagerConfigIsValid() throws {
        let amtool = try executablePath("amtool", candidates: ["/usr/bin/amtool"])
        let file = Repository.path("deploy/alertmanager/alertmanager.yml")
        let result = try runProcess(amtool, ["check-config", file], timeout: .seconds(60))
        #expect(result.status == 0, "\(describe(result, ["amtool", "check-config", file]))")
    }

    @Test(arguments: [
        (["severity=critical"], "pager"),
        (["severity=warning"], "ticket"),
        (["severity=info"], "null"),
        (["alertname=SomethingElse"], "null"),
        (["alertname=ChatCreationTriggerDisabled", "severity=critical", "trigger=booking_create_chat_update"], "pager"),
        (["alertname=ChatCreationBookingsWithoutRoom", "severity=warning", "instance=db1:9488"], "ticket"),
        (["alertname=ChatCreationAuditErrorBudgetBurn", "severity=warning", "long_window=24h"], "ticket"),
        (["alertname=ChatCreationOrphanedBookings", "severity=info"], "null"),
    ])
    func alertmanagerRoutesBySeverity(labels: [String], receiver: String) throws {
        let amtool = try executablePath("amtool", candidates: ["/usr/bin/amtool"])
        let file = Repository.path("deploy/alertmanager/alertmanager.yml")
        let command = ["config", "routes", "test", "--config.file=\(file)"] + labels
        let result = try runProcess(amtool, command, timeout: .seconds(60))
        #expect(result.status == 0, "\(describe(result, ["amtool"] + command))")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == receiver, "\(labels) → \(result.stdout)")
        // amtool can also assert it: exit status 1 when the receiver differs.
        let verify = try runProcess(amtool, ["config", "routes", "test", "--config.file=\(file)", "--verify.receivers=\(receiver)"] + labels, timeout: .seconds(60))
        #expect(verify.status == 0, "\(describe(verify, ["amtool", "--verify.receivers=\(receiver)"] + labels))")
    }

    @Test func grafanaProvisioningPointsAtTheDashboards() throws {
        let provider = try Repository.read("deploy/grafana/provisioning/dashboards/chat-exporter.yml")
        #expect(provider.contains("apiVersion: 1"))
        #expect(provider.contains("type: file"))
        #expect(provider.contains("path: /var/lib/grafana/dashboards/chat-exporter"))
        let datasource = try Repository.read("deploy/grafana/provisioning/datasources/prometheus.yml")
        #expect(datasource.contains("type: prometheus"))
        // Copied into a Grafana that has its own Prometheus, it must neither take it over nor claim the default.
        #expect(datasource.contains("isDefault: false") && !datasource.contains("name: Prometheus\n") && !datasource.contains("uid: prometheus\n"))
        let readme = try Repository.read("dashboards/README.md")
        #expect(readme.contains("/var/lib/grafana/dashboards/chat-exporter"), "dashboards/README.md explains where the provider looks")
    }
}
