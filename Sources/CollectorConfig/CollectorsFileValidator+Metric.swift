import Exposition
import YAML

extension CollectorsFileValidator {
    static let metricKeys = ["name", "type", "help", "value", "labels", "const_labels", "max_series"]
    /// Prefixes of chat-exporter's own metrics, which collectors may not use, and of the series Prometheus adds to
    /// every scrape (`scrape_duration_seconds`, `scrape_samples_scraped`, …).
    static let reservedMetricPrefixes = ["chat_exporter_", "process_", "scrape_"]
    /// Names Prometheus gives a series of its own for every target: a collector's `up` would stand in for it.
    static let reservedMetricNames = ["up"]

    /// Reads one entry of a collector's `metrics`.
    mutating func readMetric(_ node: Node, collector: String) throws(ConfigError) -> MetricDefinition {
        let fields = try MappingFields(
            node, place: "in metric", expected: "each metric must be a mapping", allowedKeys: Self.metricKeys, file: file)
        let what = Self.describe("metric", named: fields["name"])
        try fields.requireKeys(["name", "type", "help", "value"], in: what, file: file)
        guard let nameNode = fields["name"], let typeNode = fields["type"], let helpNode = fields["help"],
            let valueNode = fields["value"]
        else { preconditionFailure("required keys checked above") }

        let name = try metricName(nameNode)
        let type = try metricType(typeNode)
        if type == .counter, !name.hasSuffix("_total") {
            throw ConfigError(
                file: file, at: nameNode.mark,
                "counter \"\(name)\" must have a name ending in \"_total\" (e.g. \"\(name)_total\")")
        }
        if type == .counter, name == "_total" {
            throw ConfigError(
                file: file, at: nameNode.mark,
                "counter \"_total\" needs a name before \"_total\" (its OpenMetrics family name would be empty)")
        }
        var help = try nonEmptyText(helpNode, for: "help")
        // A block scalar (`help: |`) ends in a newline, which would be served as "\n" at the end of # HELP.
        while help.last?.isWhitespace == true { help.removeLast() }
        let valueColumn = try nonEmptyText(valueNode, for: "value")
        var labelColumns: [String] = []
        var labelMarks: [String: Mark?] = [:]
        if let labelsNode = fields["labels"] {
            (labelColumns, labelMarks) = try readLabels(labelsNode, valueColumn: valueColumn)
        }
        var constLabels: [ConstLabel] = []
        if let constLabelsNode = fields["const_labels"] {
            constLabels = try readConstLabels(constLabelsNode, columnLabels: labelMarks)
        }
        var maxSeries = defaults.maxSeries
        if let maxSeriesNode = fields["max_series"] {
            maxSeries = try positiveInteger(maxSeriesNode, for: "max_series")
        }

        let declaration = MetricDeclaration(
            name: name, collector: collector, type: type, typeMark: typeNode.mark, help: help,
            helpMark: helpNode.mark, nameMark: nameNode.mark,
            labelNames: Set(labelColumns + constLabels.map(\.name)),
            constLabels: Dictionary(uniqueKeysWithValues: constLabels.map { ($0.name, $0.value) }))
        try register(declaration)
        return MetricDefinition(
            name: name, type: type, help: help, valueColumn: valueColumn, labelColumns: labelColumns,
            constLabels: constLabels, maxSeries: maxSeries)
    }

    /// A valid Prometheus metric name outside the reserved prefixes.
    func metricName(_ node: Node) throws(ConfigError) -> String {
        let name = try text(node, for: "name")
        guard MetricNaming.isValidMetricName(name) else {
            throw ConfigError(
                file: file, at: node.mark,
                "invalid metric name \"\(name)\": metric names must match [a-zA-Z_:][a-zA-Z0-9_:]*")
        }
        if let prefix = Self.reservedMetricPrefixes.first(where: { name.hasPrefix($0) }) {
            let owner = prefix == "scrape_" ? "Prometheus adds scrape_* series to every scrape" : "used by chat-exporter's own metrics"
            throw ConfigError(
                file: file, at: node.mark,
                "metric name \"\(name)\" starts with the reserved prefix \"\(prefix)\" (\(owner))")
        }
        if Self.reservedMetricNames.contains(name) {
            throw ConfigError(
                file: file, at: node.mark,
                "metric name \"\(name)\" is reserved: Prometheus records \"up\" for every target itself, and a "
                    + "collector's would stand in for it (every up == 0 alert would read it)")
        }
        return name
    }

    /// `gauge` or `counter`.
    func metricType(_ node: Node) throws(ConfigError) -> MetricType {
        let allowed = MetricType.allCases.map(\.rawValue)
        let text = try text(node, for: "type")
        guard let type = MetricType(rawValue: text) else {
            let hint = KeySuggestion.hint(for: text, among: allowed)
            throw ConfigError(
                file: file, at: node.mark,
                "unknown metric type \"\(text)\"\(hint); allowed: \(allowed.joined(separator: ", "))")
        }
        return type
    }

    /// Records a metric declaration, checking it against earlier declarations of the same name anywhere
    /// in the file: one name has one type and one help text, two declarations may not produce the same
    /// series (same label names, no const label telling them apart), and a gauge may not take the
    /// OpenMetrics family name of a counter (`x` next to `x_total`).
    mutating func register(_ declaration: MetricDeclaration) throws(ConfigError) {
        let name = declaration.name
        if let earlier = metricDeclarations[name], let first = earlier.first {
            guard first.type == declaration.type else {
                throw ConfigError(
                    file: file, at: declaration.typeMark,
                    "metric \"\(name)\" is declared as \(declaration.type.rawValue) here but as "
                        + "\(first.type.rawValue) at line \(first.typeMark?.line ?? 0) "
                        + "(collector \"\(first.collector)\"); a metric name has one type")
            }
            guard first.help == declaration.help else {
                throw ConfigError(
                    file: file, at: declaration.helpMark,
                    "metric \"\(name)\" has a different help text than at line \(first.helpMark?.line ?? 0) "
                        + "(collector \"\(first.collector)\"); a metric name has one help text")
            }
            if let twin = earlier.first(where: declaration.mayDuplicateSeries(of:)) {
                throw ConfigError(
                    file: file, at: declaration.nameMark,
                    "metric \"\(name)\" is already defined with the same labels at line \(twin.nameMark?.line ?? 0) "
                        + "(collector \"\(twin.collector)\"); the two would produce duplicate series "
                        + "(tell them apart with a const label)")
            }
            metricDeclarations[name, default: []].append(declaration)
            return
        }
        let family = declaration.openMetricsFamily
        if let other = openMetricsFamilies[family], other.name != name {
            throw ConfigError(
                file: file, at: declaration.nameMark,
                "metric \"\(name)\" (\(declaration.type.rawValue)) and \(other.type.rawValue) \"\(other.name)\" "
                    + "at line \(other.nameMark?.line ?? 0) would share the OpenMetrics family name \"\(family)\"")
        }
        // OpenMetrics reserves a counter family's "_created" series (the time it started): strict parsers refuse a
        // metric of that name beside the counter.
        // The other may be a gauge `x_created` or a counter `x_created_total` (family `x_created`), either way round.
        var clash: MetricDeclaration?
        if declaration.type == .counter {
            clash = metricDeclarations[family + "_created"]?.first ?? openMetricsFamilies[family + "_created"]
        }
        if clash == nil, family.hasSuffix("_created"), let counter = openMetricsFamilies[String(family.dropLast("_created".count))],
           counter.type == .counter {
            clash = counter
        }
        if let clash {
            let (counter, other) = clash.openMetricsFamily + "_created" == family ? (clash, declaration) : (declaration, clash)
            throw ConfigError(
                file: file, at: declaration.nameMark,
                "metric \"\(other.name)\" would be read as the \"_created\" series of counter \"\(counter.name)\" in "
                    + "OpenMetrics (the other is at line \(clash.nameMark?.line ?? 0)); rename it")
        }
        metricDeclarations[name] = [declaration]
        openMetricsFamilies[family] = declaration
    }
}
