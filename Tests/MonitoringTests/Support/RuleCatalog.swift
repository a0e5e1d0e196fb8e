import Foundation
import Synchronization
import TestSupport

/// The rules of alerts/*.rules.yml exactly as Prometheus loads them: a Prometheus with no scrape target is
/// started once per test process with the shipped rule files, and its /api/v1/rules answer is kept. No
/// YAML parser of our own: what the tests check is what Prometheus understood.
struct RuleCatalog: Sendable {
    struct Alert: Sendable {
        let group: String
        let name: String
        let query: String
        /// The `for:` in seconds.
        let forSeconds: Double
        let labels: [String: String]
        let annotations: [String: String]
    }

    struct Recording: Sendable {
        let group: String
        let name: String
        let query: String
    }

    let alerts: [Alert]
    let recordings: [Recording]

    var alertNames: Set<String> { Set(alerts.map(\.name)) }
    var recordingNames: Set<String> { Set(recordings.map(\.name)) }

    /// Recording rules that are settings: constant vectors whose selectors, if any, are other settings
    /// (the SLO objective, and the error budget computed from it). They carry no job label.
    var constantRecordings: Set<String> {
        var constants: Set<String> = []
        var changed = true
        while changed {
            changed = false
            for rule in recordings where !constants.contains(rule.name) {
                if PromQL.selectors(in: rule.query).allSatisfy({ constants.contains($0.name) }) {
                    constants.insert(rule.name)
                    changed = true
                }
            }
        }
        return constants
    }

    private static let cached = Mutex<Result<RuleCatalog, any Error>?>(nil)

    /// The shipped rules (loaded once).
    static func shipped() throws -> RuleCatalog {
        try cached.withLock { state in
            if let state { return try state.get() }
            let result = Result { try load() }
            state = result
            return try result.get()
        }
    }

    /// A prometheus.yml whose rule_files are the shipped rule files, by absolute path.
    static func ruleFilesSection() throws -> String {
        let files = try Repository.ruleFiles()
        guard !files.isEmpty else { throw TestSupportError("no alerts/*.rules.yml") }
        return "rule_files:\n" + files.map { "  - '\(Repository.path($0))'\n" }.joined()
    }

    private static func load() throws -> RuleCatalog {
        let prometheus = try PrometheusServer.start(configuration: """
            global:
              evaluation_interval: 1h
            \(try ruleFilesSection())
            """)
        defer { prometheus.stop() }
        return try RuleCatalog(groups: prometheus.ruleGroups())
    }

    init(groups: [[String: Any]]) throws {
        var alerts: [Alert] = []
        var recordings: [Recording] = []
        for group in groups {
            let groupName = group.string("name") ?? ""
            for rule in group.objects("rules") {
                let name = rule.string("name") ?? ""
                let query = rule.string("query") ?? ""
                switch rule.string("type") {
                case "alerting":
                    alerts.append(Alert(
                        group: groupName, name: name, query: query,
                        forSeconds: (rule["duration"] as? NSNumber)?.doubleValue ?? 0,
                        labels: rule.labels("labels"), annotations: rule.labels("annotations")))
                case "recording":
                    recordings.append(Recording(group: groupName, name: name, query: query))
                default:
                    throw TestSupportError("rule \(name) of group \(groupName) has an unknown type")
                }
            }
        }
        guard !alerts.isEmpty else { throw TestSupportError("Prometheus loaded no alerting rule from alerts/*.rules.yml") }
        self.alerts = alerts
        self.recordings = recordings
    }
}

/// What the promtool unit tests (alerts/tests/*.test.yml) show, read line by line. The files are written
/// in one style: `alertname: X` (block or flow mapping), followed by `exp_alerts: []` (quiet) or by
/// `exp_alerts:` and a list of `- exp_labels:` (firing).
struct RuleTestCoverage: Sendable {
    /// Alert names shown firing at least once.
    let firing: Set<String>
    /// Alert names shown quiet (exp_alerts: []) at least once.
    let quiet: Set<String>
    /// Test cases (`- name:` or `- interval:` items of `tests:`) without an `interval:`, as "file: case".
    let casesWithoutInterval: [String]
    /// How many `alertname:` keys were found (each counted as firing or quiet).
    let cases: Int

    static func read() throws -> RuleTestCoverage {
        var firing: Set<String> = []
        var quiet: Set<String> = []
        var withoutInterval: [String] = []
        var cases = 0
        let alertnamePattern = try NSRegularExpression(pattern: #"(?:^|[\s{,-])alertname:\s*([A-Za-z][A-Za-z0-9_]*)"#)
        for file in try Repository.ruleTestFiles() {
            let lines = try Repository.read(file).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (number, line) in lines.enumerated() {
                let range = NSRange(line.startIndex..., in: line)
                guard !line.trimmingCharacters(in: .whitespaces).hasPrefix("#"),
                    let match = alertnamePattern.firstMatch(in: line, range: range),
                    let nameRange = Range(match.range(at: 1), in: line)
                else { continue }
                let name = String(line[nameRange])
                cases += 1
                if line.contains("exp_alerts: []") {
                    quiet.insert(name)
                    continue
                }
                guard let expLine = lines[(number + 1)...].first(where: { $0.contains("exp_alerts:") }) else {
                    throw TestSupportError("\(file):\(number + 1): alertname \(name) has no exp_alerts")
                }
                if expLine.trimmingCharacters(in: .whitespaces) == "exp_alerts: []" {
                    quiet.insert(name)
                } else if expLine.trimmingCharacters(in: .whitespaces) == "exp_alerts:" {
                    firing.insert(name)
                } else {
                    throw TestSupportError("\(file): unexpected line after alertname \(name): \(expLine)")
                }
            }
            // Test cases: the items of the top-level `tests:` list, indented by two spaces.
            guard let start = lines.firstIndex(where: { $0.hasPrefix("tests:") }) else {
                throw TestSupportError("\(file) has no tests:")
            }
            var current: (title: String, hasInterval: Bool)?
            for line in lines[(start + 1)...] {
                if line.hasPrefix("  - ") {
                    if let current, !current.hasInterval { withoutInterval.append("\(file): \(current.title)") }
                    current = (line, line.hasPrefix("  - interval:"))
                } else if line.hasPrefix("    interval:") {
                    current?.hasInterval = true
                }
            }
            if let current, !current.hasInterval { withoutInterval.append("\(file): \(current.title)") }
        }
        return RuleTestCoverage(firing: firing, quiet: quiet, casesWithoutInterval: withoutInterval, cases: cases)
    }
}
