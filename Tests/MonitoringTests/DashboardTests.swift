import Foundation
import Testing
import TestSupport

/// dashboards/*.json: provisioning-ready structure, and queries that parse.
struct DashboardTests {
    static let datasource = ["type": "prometheus", "uid": "${datasource}"]

    @Test func theTwoDashboardsExistWithFixedUIDs() throws {
        let dashboards = try Dashboard.all()
        #expect(Set(dashboards.map(\.file)) == ["dashboards/chat-creation.json", "dashboards/chat-exporter.json"])
        #expect(Set(dashboards.compactMap(\.uid)) == ["chat-creation", "chat-exporter"])
        #expect(Set(dashboards.compactMap(\.title)) == ["Chat creation", "chat-exporter"])
        for dashboard in dashboards {
            let uid = dashboard.uid ?? ""
            #expect(uid.count <= 40 && uid.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "\(dashboard.file): uid \(uid)")
            #expect(dashboard.json["__inputs"] == nil, "\(dashboard.file) has __inputs: export it with \"Export for sharing externally\" off")
            #expect(dashboard.json["__requires"] == nil, "\(dashboard.file) has __requires")
            #expect(((dashboard.json["schemaVersion"] as? Int) ?? 0) >= 36, "\(dashboard.file): schemaVersion")
            #expect(dashboard.json["id"] is NSNull || dashboard.json["id"] == nil, "\(dashboard.file): id must be null (Grafana assigns it)")
            #expect(!(dashboard.json.string("description") ?? "").isEmpty, "\(dashboard.file): no description")
        }
    }

    /// The chat backend checklist's scaling signals have their own row on the Chat creation dashboard.
    @Test func theBackendLoadRowHoldsTheScalingSignals() throws {
        let dashboard = try #require(try Dashboard.all().first { $0.uid == "chat-creation" })
        let panels = dashboard.json.objects("panels")
        let rowIndex = try #require(panels.firstIndex { $0.string("type") == "row" && $0.string("title") == "Backend load" })
        let rowY = panels[rowIndex].object("gridPos")?["y"] as? Int ?? -1
        // The panels between this row and the next one (or the end) belong to it.
        let below = panels.filter { panel in
            guard panel.string("type") != "row", let y = panel.object("gridPos")?["y"] as? Int, y > rowY else { return false }
            let nextRow = panels.filter { $0.string("type") == "row" }.compactMap { $0.object("gridPos")?["y"] as? Int }.filter { $0 > rowY }.min() ?? .max
            return y < nextRow
        }
        let expressions = below.flatMap { $0.objects("targets").compactMap { $0.string("expr") } }.joined(separator: "\n")
        for metric in ["chat_messages_created", "chat_audit_response_avg_seconds", "chat_audit_response_p95_seconds", "chat_rooms_active"] {
            #expect(expressions.contains(metric), "the Backend load row has no panel on \(metric)")
        }
        #expect(expressions.contains("window=\"5m\"}) / 5"), "messages per minute come from the 5-minute window")
        // The alerts' thresholds are drawn from their one setting, the recording rules, never repeated as literals.
        for threshold in ["chat:message_volume_threshold:per_minute", "chat:response_time_threshold:seconds"] {
            #expect(expressions.contains(threshold), "the Backend load row does not draw \(threshold)")
        }
        #expect(expressions.contains("{{action}}") || below.contains { $0.objects("targets").contains { ($0.string("legendFormat") ?? "").contains("{{action}}") } })
    }

    @Test func theDatasourceJobAndInstanceVariables() throws {
        for dashboard in try Dashboard.all() {
            let file = dashboard.file
            let datasource = try #require(dashboard.variable("datasource"), "\(file): no datasource variable")
            #expect(datasource.string("type") == "datasource" && datasource.string("query") == "prometheus", "\(file): datasource variable")
            let job = try #require(dashboard.variable("job"), "\(file): no job variable")
            let instance = try #require(dashboard.variable("instance"), "\(file): no instance variable")
            for variable in [job, instance] {
                let name = variable.string("name") ?? ""
                #expect(variable.string("type") == "query", "\(file): \(name) must be a query variable")
                #expect(variable.object("datasource") as? [String: String] == Self.datasource, "\(file): \(name) must use ${datasource}")
                #expect(Dashboard.variableQuery(variable)?.hasPrefix("label_values(") == true, "\(file): \(name) must use label_values")
            }
            #expect(Dashboard.variableQuery(job)?.hasSuffix(", job)") == true)
            #expect(Dashboard.variableQuery(instance)?.contains(#"job=~"$job""#) == true, "\(file): instance must follow job")
            #expect(Dashboard.variableQuery(instance)?.hasSuffix(", instance)") == true)
            // The chat-creation panels sum one database's series against its alert thresholds: one at a time.
            if file.hasSuffix("chat-creation.json") {
                #expect(instance["multi"] as? Bool == false && instance["includeAll"] as? Bool == false, "\(file): one instance at a time")
            }
        }
    }

    @Test func everyPanelHasAUnitADescriptionAndTheDatasourceVariable() throws {
        for dashboard in try Dashboard.all() {
            var ids: Set<Int> = []
            var cells: [String: String] = [:]
            #expect(dashboard.panels.count >= 10, "\(dashboard.file) has only \(dashboard.panels.count) panels")
            for panel in dashboard.panels {
                let title = "\(dashboard.file): panel \"\(panel.string("title") ?? "?")\""
                #expect(!(panel.string("title") ?? "").isEmpty, "\(title): no title")
                #expect((panel.string("description") ?? "").count >= 20, "\(title): no description")
                // A row only groups the panels below it: no query, no unit, but a place on the grid.
                let isRow = panel.string("type") == "row"
                if !isRow {
                    let unit = panel.object("fieldConfig")?.object("defaults")?.string("unit") ?? ""
                    #expect(!unit.isEmpty, "\(title): no unit")
                    #expect(panel.object("datasource") as? [String: String] == Self.datasource, "\(title): panel datasource must be ${datasource}")
                    let targets = panel.objects("targets")
                    #expect(!targets.isEmpty, "\(title): no query")
                    for target in targets {
                        #expect(target.object("datasource") as? [String: String] == Self.datasource, "\(title): query datasource must be ${datasource}")
                    }
                }
                if let id = panel["id"] as? Int {
                    #expect(ids.insert(id).inserted, "\(title): duplicate id \(id)")
                }
                // No two panels on the same grid cell.
                if let grid = panel.object("gridPos"), let x = grid["x"] as? Int, let y = grid["y"] as? Int,
                    let w = grid["w"] as? Int, let h = grid["h"] as? Int
                {
                    #expect(x >= 0 && x + w <= 24, "\(title): outside the 24-column grid")
                    for column in x..<(x + w) {
                        for row in y..<(y + h) {
                            if let other = cells["\(column),\(row)"] {
                                Issue.record("\(title) overlaps \(other)")
                            }
                            cells["\(column),\(row)"] = title
                        }
                    }
                } else {
                    Issue.record("\(title): no gridPos")
                }
            }
        }
    }

    @Test func everyQueryFiltersByJobAndInstanceAndRatesUseRateInterval() throws {
        let constants = try RuleCatalog.shipped().constantRecordings
        for dashboard in try Dashboard.all() {
            for query in dashboard.queries {
                let place = "\(dashboard.file): \(query.panel) (\(query.refID))"
                let selectors = PromQL.selectors(in: query.expression)
                #expect(!selectors.isEmpty, "\(place): no selector in \(query.expression)")
                for selector in selectors where !constants.contains(selector.name) {
                    #expect(selector.matchers.contains(#"job=~"$job""#), "\(place): \(selector) is not filtered by job=~\"$job\"")
                    #expect(selector.matchers.contains(#"instance=~"$instance""#), "\(place): \(selector) is not filtered by instance=~\"$instance\"")
                }
                // Fixed short ranges only where the data, not the scrape interval, sets them: 10m is the alerts'
                // memory of a state gauge (last_over_time) and the slope of a once-a-minute count; 15m holds three
                // runs of the slowest (5-minute) collector.
                for range in PromQL.ranges(in: query.expression) where range != "$__rate_interval" {
                    #expect(["10m", "15m", "1h", "1d", "24h", "7d"].contains(range), "\(place): range [\(range)]: use $__rate_interval for short ranges")
                }
            }
        }
    }

    @Test func everyQueryParses() throws {
        let promtool = try executablePath("promtool", candidates: ["/usr/bin/promtool"])
        var rules = "groups:\n  - name: dashboards\n    rules:\n"
        var count = 0
        for dashboard in try Dashboard.all() {
            let expressions = dashboard.queries.map(\.expression) + dashboard.variableExpressions
            for expression in expressions {
                count += 1
                let substituted = Dashboard.substitute(expression)
                #expect(!substituted.contains("$"), "a Grafana variable left in \(substituted)")
                let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [substituted], options: [.withoutEscapingSlashes]), as: UTF8.self).dropFirst().dropLast()
                rules += "      - record: dashboard_query_\(count)\n        expr: \(quoted)\n"
            }
        }
        #expect(count >= 40, "only \(count) queries found")
        let scratch = try ScratchDirectory("dashboard-queries")
        defer { scratch.remove() }
        let file = try scratch.write("dashboards.rules.yml", rules)
        let result = try runProcess(promtool, ["check", "rules", file], timeout: .seconds(60))
        #expect(result.status == 0, "\(describe(result, ["promtool", "check", "rules", file]))\n\(rules)")
    }
}
