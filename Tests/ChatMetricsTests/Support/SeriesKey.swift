/// One series of the exposition: a metric name and its labels (order-insensitive).
struct SeriesKey: Hashable, Comparable, CustomStringConvertible {
    let name: String
    let labels: [String: String]

    init(_ name: String, _ labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }

    /// `name{a="1",b="2"}` with the labels sorted by name, as a diff shows it.
    var description: String {
        guard !labels.isEmpty else { return name }
        let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
        return "\(name){\(rendered.joined(separator: ","))}"
    }

    static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        lhs.description < rhs.description
    }
}
