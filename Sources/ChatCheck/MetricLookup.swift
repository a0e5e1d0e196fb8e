import Exposition

/// The samples of a check run, looked up by metric name and labels.
struct MetricLookup: Sendable {
    private var values: [String: Double] = [:]
    /// The metric families the successful runs declared, those without a sample included.
    private var names: Set<String> = []

    init(families: [MetricFamily]) {
        for family in families {
            names.insert(family.name)
            for sample in family.samples {
                values[Self.key(family.name, sample.labels.map { ($0.name, $0.value) })] = sample.value
            }
        }
    }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        values[Self.key(name, labels.map { ($0.key, $0.value) })]
    }

    var all: [String: Double] { values }

    /// Whether a successful run declared the family `name` (it may hold no sample: a query returning no row).
    func collected(_ name: String) -> Bool {
        names.contains(name)
    }

    static func key(_ name: String, _ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return name }
        let sorted = labels.sorted { $0.0 < $1.0 }
        return name + "{" + sorted.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }
}
