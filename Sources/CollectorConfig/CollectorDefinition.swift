/// One collector: a SQL query run on a schedule, and the metrics made from its result.
public struct CollectorDefinition: Sendable, Equatable {
    /// The collector name, `[a-z_][a-z0-9_]*`, unique in the file.
    public var name: String
    /// Free text describing the collector, if the file gives one.
    public var description: String?
    /// The query, as written in the file.
    public var sql: String
    /// How often the query runs (at least one second).
    public var interval: Duration
    /// How long one run of the query may take (positive, at most `interval`).
    public var timeout: Duration
    /// The values bound server-side as `$1`, `$2`, … in this order, in their textual form:
    /// settings are substituted, numbers and booleans are kept as written in the file, `nil` is SQL NULL.
    public var parameters: [String?]
    /// The metrics made from the query's rows; never empty.
    public var metrics: [MetricDefinition]

    /// Creates a collector definition.
    public init(
        name: String,
        description: String? = nil,
        sql: String,
        interval: Duration,
        timeout: Duration,
        parameters: [String?] = [],
        metrics: [MetricDefinition]
    ) {
        self.name = name
        self.description = description
        self.sql = sql
        self.interval = interval
        self.timeout = timeout
        self.parameters = parameters
        self.metrics = metrics
    }
}
