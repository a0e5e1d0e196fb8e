import Foundation
import Testing
import TestSupport

/// Every metric name the alerts and dashboards use is served by the real exporter (default collectors,
/// a small seeded database), so renaming a metric fails here rather than silently blinding an alert.
struct MetricNamesTests {
    /// Series Prometheus makes itself, not the exporter.
    static let prometheusOwn: Set<String> = ["up"]

    @Test func everyMetricUsedByAlertsAndDashboardsIsServed() throws {
        let catalog = try RuleCatalog.shipped()
        let used = try Self.usedMetricNames(catalog: catalog)
        // The extraction itself must work, or the check below would pass on nothing.
        for name in ["chat_trigger_enabled", "chat_bookings_without_room_oldest_seconds", "chat_audit_error_ratio",
                     "chat_exporter_collector_success", "chat_exporter_collector_errors_total", "process_cpu_seconds_total",
                     "chat:audit_error_budget:ratio", "up"] {
            #expect(used[name] != nil, "the name extraction missed \(name)")
        }

        let database = try SeedData.database(auditFailures: 2)
        defer { database.drop() }
        let served = try Self.servedMetricNames(database: database)

        for (name, places) in used.sorted(by: { $0.key < $1.key }) {
            if Self.prometheusOwn.contains(name) { continue }
            if name.contains(":") {
                #expect(catalog.recordingNames.contains(name), "\(name) (used by \(places.sorted())) is no recording rule of alerts/*.rules.yml")
            } else {
                #expect(served.contains(name), "\(name) (used by \(places.sorted())) is not served by chat-exporter's /metrics")
            }
        }
        // The other way round: every family the exporter serves is watched or shown somewhere.
        let unused = served.subtracting(used.keys)
        #expect(unused.isEmpty, "metrics no alert or dashboard uses: \(unused.sorted())")
    }

    /// Metric names → where they are used: rule expressions, the queries of alert descriptions, dashboard
    /// panels and variable queries.
    static func usedMetricNames(catalog: RuleCatalog) throws -> [String: Set<String>] {
        var used: [String: Set<String>] = [:]
        func add(_ expression: String, _ place: String) {
            for name in PromQL.metricNames(in: expression) {
                used[name, default: []].insert(place)
            }
        }
        for rule in catalog.recordings {
            add(rule.query, "rule \(rule.name)")
        }
        for alert in catalog.alerts {
            add(alert.query, "alert \(alert.name)")
            for (key, text) in alert.annotations {
                for query in templateQueries(in: text) {
                    add(query, "alert \(alert.name) \(key)")
                }
            }
        }
        for dashboard in try Dashboard.all() {
            for query in dashboard.queries {
                add(Dashboard.substitute(query.expression), "\(dashboard.file) \(query.panel)")
            }
            for expression in dashboard.variableExpressions {
                add(Dashboard.substitute(expression), "\(dashboard.file) variables")
            }
        }
        return used
    }

    /// The PromQL of `query` calls in an alert template: `printf "..." ... | query` and `query "..."`.
    static func templateQueries(in template: String) -> [String] {
        let pattern = #"printf\s+(?:`([^`]*)`|"((?:[^"\\]|\\.)*)")[^|}]*\|\s*query|query\s+"((?:[^"\\]|\\.)*)""#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: template, range: NSRange(template.startIndex..., in: template)).compactMap { match in
            for group in 1...3 {
                if let range = Range(match.range(at: group), in: template) {
                    return String(template[range]).replacingOccurrences(of: "%q", with: "\"x\"").replacingOccurrences(of: #"\""#, with: "\"")
                }
            }
            return nil
        }
    }

    /// The metric family names of the exporter's /metrics with the default collectors against `database`.
    static func servedMetricNames(database: TestDatabase) throws -> Set<String> {
        let exporter = try ExporterProcess.start(arguments: [], environment: ["DATA_SOURCE_NAME": database.keyValueDSN])
        defer { _ = try? exporter.terminate() }
        try exporter.waitUntilListening(timeout: .seconds(20))
        try waitUntil(timeout: .seconds(60), pollEvery: .milliseconds(100), "chat-exporter is ready; its log:\n\(exporter.stderr())") {
            (try? HTTPTestClient.get(port: exporter.port, path: "/-/ready").status) == 200
        }
        let response = try HTTPTestClient.get(port: exporter.port, path: "/metrics")
        try #require(response.status == 200)
        var names: Set<String> = []
        for line in response.text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                names.insert(String(line.dropFirst(7).prefix { $0 != " " }))
            } else if !line.hasPrefix("#") {
                names.insert(String(line.prefix { $0 != "{" && $0 != " " }))
            }
        }
        // What the seeded data must bring out, or the comparison would be weaker than it looks.
        #expect(names.contains("chat_audit_error_ratio"), "the seeded audit rows should produce chat_audit_error_ratio")
        #expect(names.contains("chat_exporter_build_info"))
        return names
    }
}
