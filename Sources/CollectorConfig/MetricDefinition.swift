public import Exposition

/// One metric a collector produces from the rows of its query: each row becomes one series.
public struct MetricDefinition: Sendable, Equatable {
    /// The metric name; a valid Prometheus metric name. A counter's name ends in `_total`.
    public var name: String
    /// Gauge or counter.
    public var type: MetricType
    /// The `# HELP` text; never empty.
    public var help: String
    /// The result column that holds the sample value.
    public var valueColumn: String
    /// The result columns that become labels, in the order given; each label is named after its column.
    public var labelColumns: [String]
    /// Labels with fixed values, in the order given.
    public var constLabels: [ConstLabel]
    /// The most series one run may produce for this metric; always positive.
    public var maxSeries: Int

    /// Creates a metric definition.
    public init(
        name: String,
        type: MetricType,
        help: String,
        valueColumn: String,
        labelColumns: [String] = [],
        constLabels: [ConstLabel] = [],
        maxSeries: Int
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.valueColumn = valueColumn
        self.labelColumns = labelColumns
        self.constLabels = constLabels
        self.maxSeries = maxSeries
    }
}
