public import CollectorConfig
public import Exposition
public import PostgresClient

/// What one successful collector run produced: its metric families and how many NULL values it skipped.
public struct CollectorOutput: Sendable {
    public let families: [MetricFamily]
    public let nullValuesSkipped: Int

    public var seriesCount: Int { families.reduce(0) { $0 + $1.samples.count } }

    /// Turns the rows of a collector's statement into metric families, as its definition says.
    ///
    /// A missing column, a value that is not a number and two rows with the same series (``SeriesKey``: an empty
    /// label is no label, values compared byte for byte) fail the run
    /// (`invalid_value`); more series than a metric's cap fail it too (`cardinality`): chat-exporter never serves
    /// part of a result. A NULL value skips that sample (and is counted); a NULL label value becomes "".
    public init(definition: CollectorDefinition, result: QueryResult) throws(CollectorFailure) {
        var families: [MetricFamily] = []
        var nullValues = 0
        for metric in definition.metrics {
            guard let valueIndex = result.columnIndex(named: metric.valueColumn) else {
                throw CollectorFailure(reason: .invalidValue, message: "metric \(metric.name): the result has no column \"\(metric.valueColumn)\" (columns: \(result.columns.map(\.name).joined(separator: ", ")))\(Self.caseHint(metric.valueColumn, result))")
            }
            var labelIndexes: [Int] = []
            for column in metric.labelColumns {
                guard let index = result.columnIndex(named: column) else {
                    throw CollectorFailure(reason: .invalidValue, message: "metric \(metric.name): the result has no label column \"\(column)\"\(Self.caseHint(column, result))")
                }
                labelIndexes.append(index)
            }
            guard result.rows.count <= metric.maxSeries else {
                throw CollectorFailure(reason: .cardinality, message: "metric \(metric.name): \(result.rows.count) rows exceed max_series \(metric.maxSeries)")
            }
            let valueColumn = result.columns[valueIndex]
            let constLabels = metric.constLabels.map { Label(name: $0.name, value: $0.value) }
            var samples: [Sample] = []
            samples.reserveCapacity(result.rows.count)
            var seen = Set<SeriesKey>()
            for row in result.rows {
                guard let text = row[valueIndex] else {
                    nullValues += 1
                    continue
                }
                guard let value = valueColumn.double(from: text) else {
                    throw CollectorFailure(reason: .invalidValue, message: "metric \(metric.name): column \"\(metric.valueColumn)\" holds a value that is not a number")
                }
                // OpenMetrics: a counter's total is never NaN and never below 0; strict parsers reject the whole scrape.
                if metric.type == .counter, value.isNaN || value < 0 {
                    throw CollectorFailure(reason: .invalidValue, message: "metric \(metric.name): a counter cannot be \(value.isNaN ? "NaN" : "negative") (column \"\(metric.valueColumn)\"); make it a gauge")
                }
                var labels = constLabels
                for (name, index) in zip(metric.labelColumns, labelIndexes) {
                    labels.append(Label(name: name, value: row[index] ?? ""))
                }
                guard seen.insert(SeriesKey(labels)).inserted else {
                    throw CollectorFailure(reason: .invalidValue, message: "metric \(metric.name): two rows have the same labels {\(labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ","))}")
                }
                samples.append(Sample(labels: labels, value: value))
            }
            families.append(MetricFamily(name: metric.name, type: metric.type, help: metric.help, samples: samples))
        }
        self.families = families
        self.nullValuesSkipped = nullValues
    }

    /// The usual cause when a column is missing but one differs only in case: `SELECT 1 AS Value` names its column
    /// `value`, since PostgreSQL folds unquoted names to lower case.
    private static func caseHint(_ column: String, _ result: QueryResult) -> String {
        guard let near = result.columns.first(where: { $0.name.lowercased() == column.lowercased() }) else { return "" }
        return "; did you mean \"\(near.name)\"? PostgreSQL folds unquoted names to lower case: quote the alias in the SQL (AS \"\(column)\") or write \(near.name) in the collectors file"
    }
}
