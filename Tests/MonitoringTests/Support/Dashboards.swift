import Foundation
import TestSupport

/// A Grafana dashboard of dashboards/*.json, parsed with JSONSerialization.
struct Dashboard {
    struct Query {
        let panel: String
        let refID: String
        let expression: String
    }

    let file: String
    let json: [String: Any]

    static func all() throws -> [Dashboard] {
        try Repository.dashboardFiles().map { file in
            let data = Data(try Repository.read(file).utf8)
            guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TestSupportError("\(file) is not a JSON object")
            }
            return Dashboard(file: file, json: json)
        }
    }

    var uid: String? { json.string("uid") }
    var title: String? { json.string("title") }

    /// Every panel, those inside collapsed rows included.
    var panels: [[String: Any]] {
        json.objects("panels").flatMap { [$0] + $0.objects("panels") }
    }

    /// The template variables.
    var variables: [[String: Any]] {
        json.object("templating")?.objects("list") ?? []
    }

    func variable(_ name: String) -> [String: Any]? {
        variables.first { $0.string("name") == name }
    }

    /// The query of a query variable (a string, or an object with `query`).
    static func variableQuery(_ variable: [String: Any]) -> String? {
        if let text = variable["query"] as? String { return text }
        return (variable["query"] as? [String: Any])?.string("query")
    }

    /// Every PromQL expression of every panel.
    var queries: [Query] {
        panels.flatMap { panel in
            panel.objects("targets").compactMap { target in
                target.string("expr").map { Query(panel: panel.string("title") ?? "?", refID: target.string("refId") ?? "?", expression: $0) }
            }
        }
    }

    /// The PromQL expression inside each `label_values(expression, label)` variable query.
    var variableExpressions: [String] {
        variables.compactMap(Self.variableQuery).compactMap { query in
            guard query.hasPrefix("label_values("), query.hasSuffix(")"), let comma = query.lastIndex(of: ",") else { return nil }
            return String(query[query.index(query.startIndex, offsetBy: "label_values(".count)..<comma])
        }
    }

    /// An expression with Grafana's variables replaced by what the tests' Prometheus has.
    static func substitute(_ expression: String, job: String = "chat-exporter", instance: String = ".*") -> String {
        expression
            .replacingOccurrences(of: "$__rate_interval", with: "1m")
            .replacingOccurrences(of: "$__interval", with: "1m")
            .replacingOccurrences(of: "$__range", with: "1h")
            .replacingOccurrences(of: "${datasource}", with: "prometheus")
            .replacingOccurrences(of: "$job", with: job)
            .replacingOccurrences(of: "$instance", with: instance)
    }
}
