/// A metric family: a name, a type, a help text and the samples of its series.
public struct MetricFamily: Sendable, Hashable {
    /// The sample name. For counters it is the full sample name and ends in `_total`
    /// (for example `chat_rooms_created_total`); the OpenMetrics encoder drops the suffix in the
    /// family's `# HELP` and `# TYPE` lines.
    public let name: String
    /// The metric type.
    public let type: MetricType
    /// The help text, written on the `# HELP` line with the format's escaping.
    public let help: String
    /// The samples, written in this order. A family without samples is not written at all.
    public var samples: [Sample]

    /// Creates a metric family.
    ///
    /// - Precondition: `name` is a valid metric name (``MetricNaming/isValidMetricName(_:)``) and,
    ///   when `type` is ``MetricType/counter``, ends in `_total` with something before the suffix.
    public init(name: String, type: MetricType, help: String, samples: [Sample] = []) {
        precondition(MetricNaming.isValidMetricName(name), "invalid metric name \(name)")
        precondition(
            type != .counter || Self.hasCounterSuffix(name),
            "counter name \(name) must end in \(Self.counterSuffix)"
        )
        self.name = name
        self.type = type
        self.help = help
        self.samples = samples
    }

    /// The suffix every counter's sample name carries.
    public static let counterSuffix = "_total"

    static func hasCounterSuffix(_ name: String) -> Bool {
        name.utf8.count > counterSuffix.utf8.count && name.hasSuffix(counterSuffix)
    }
}
