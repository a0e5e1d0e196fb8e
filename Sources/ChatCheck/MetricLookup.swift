import Exposition

/// The samples of a check run, looked up by metric name and labels.
struct MetricLookup: Sendable {
    private var values: [String: Double] = [:]

    init(families: [MetricFamily]) {
        for family in families {
            for sample in family.samples {
                values[Self.key(family.name, sample.labels.map { ($0.name, $0.value) })] = sample.value
            }
        }
    }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        values[Self.key(name, labels.map { ($0.key, $0.value) })]
    }

    var all: [String: Double] { values }

    static func key(_ name: String, _ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return name }
        let sorted = labels.sorted { $0.0 < $1.0 }
        return name + "{" + sorted.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }
}
