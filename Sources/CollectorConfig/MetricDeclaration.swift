import Exposition
import YAML

/// One declaration of a metric in the file, kept to check later declarations of the same name against it.
struct MetricDeclaration {
    /// The metric name.
    var name: String
    /// The collector that declared it.
    var collector: String
    /// The declared type, with the position of its value.
    var type: MetricType
    var typeMark: Mark?
    /// The declared help text, with the position of its value.
    var help: String
    var helpMark: Mark?
    /// The position of the name.
    var nameMark: Mark?
    /// The names of all labels of its series: column labels and const labels.
    var labelNames: Set<String>
    /// The const labels, by name.
    var constLabels: [String: String]

    /// The name of the metric family in OpenMetrics, where a counter's family drops `_total`.
    var openMetricsFamily: String {
        guard type == .counter, name.hasSuffix("_total") else { return name }
        return String(name.dropLast("_total".count))
    }

    /// Whether this declaration and `other` (of the same name) can produce the same series: they have
    /// the same label names and no const label tells them apart (a const label both have, with different
    /// values).
    func mayDuplicateSeries(of other: MetricDeclaration) -> Bool {
        guard labelNames == other.labelNames else { return false }
        return !constLabels.contains { name, value in
            other.constLabels[name].map { $0 != value } ?? false
        }
    }
}
