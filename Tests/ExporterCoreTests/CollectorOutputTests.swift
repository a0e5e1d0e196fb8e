import CollectorConfig
import ExporterCore
import Exposition
import PostgresClient
import Testing

/// Turning a result into families: what fails a run, and what is skipped.
struct CollectorOutputTests {
    private func definition(value: String = "v", labels: [String] = ["k"], maxSeries: Int = 10) -> CollectorDefinition {
        CollectorDefinition(
            name: "c", description: nil, sql: "SELECT", interval: .seconds(30), timeout: .seconds(5), parameters: [],
            metrics: [MetricDefinition(name: "test_metric", type: .gauge, help: "Help.", valueColumn: value, labelColumns: labels,
                                       constLabels: [ConstLabel(name: "source", value: "x")], maxSeries: maxSeries)])
    }

    private func result(_ rows: [[String?]], valueType: UInt32 = 20) -> QueryResult {
        QueryResult(columns: [.init(name: "k", typeOID: 25), .init(name: "v", typeOID: valueType)], rows: rows, commandTag: "SELECT")
    }

    @Test func rowsBecomeSamplesWithConstLabelsFirst() throws {
        let output = try CollectorOutput(definition: definition(), result: result([["a", "1"], ["b", "2.5"]]))
        #expect(output.families.count == 1)
        #expect(output.families[0].samples == [
            Sample(labels: [Label(name: "source", value: "x"), Label(name: "k", value: "a")], value: 1),
            Sample(labels: [Label(name: "source", value: "x"), Label(name: "k", value: "b")], value: 2.5),
        ])
        #expect(output.seriesCount == 2)
    }

    @Test func nullValuesAreSkippedAndCountedNullLabelsBecomeEmpty() throws {
        let output = try CollectorOutput(definition: definition(), result: result([["a", nil], [nil, "7"]]))
        #expect(output.nullValuesSkipped == 1)
        #expect(output.families[0].samples == [Sample(labels: [Label(name: "source", value: "x"), Label(name: "k", value: "")], value: 7)])
    }

    @Test func aMissingColumnIsAnInvalidValue() {
        let error = #expect(throws: CollectorFailure.self) {
            try CollectorOutput(definition: definition(value: "nope"), result: result([["a", "1"]]))
        }
        #expect(error?.reason == .invalidValue)
        #expect(error?.message.contains("no column \"nope\"") == true)
    }

    @Test func aColumnThatDiffersOnlyInCaseIsPointedOut() {
        let error = #expect(throws: CollectorFailure.self) {
            try CollectorOutput(definition: definition(value: "V"), result: result([["a", "1"]]))
        }
        #expect(error?.message.contains("folds unquoted names to lower case") == true, "\(String(describing: error))")
        let unrelated = #expect(throws: CollectorFailure.self) {
            try CollectorOutput(definition: definition(value: "nope"), result: result([["a", "1"]]))
        }
        #expect(unrelated?.message.contains("folds") == false)
    }

    @Test func textThatIsNotANumberIsAnInvalidValue() {
        let error = #expect(throws: CollectorFailure.self) {
            try CollectorOutput(definition: definition(), result: result([["a", "many"]], valueType: 25))
        }
        #expect(error?.reason == .invalidValue)
    }

    /// OpenMetrics: a counter's total is a non-NaN value that never goes below 0; strict parsers reject the scrape.
    @Test(arguments: ["-5", "NaN"])
    func aCounterThatIsNegativeOrNaNIsAnInvalidValue(value: String) {
        let counter = CollectorDefinition(
            name: "c", description: nil, sql: "SELECT", interval: .seconds(30), timeout: .seconds(5), parameters: [],
            metrics: [MetricDefinition(name: "test_things_total", type: .counter, help: "Help.", valueColumn: "v", labelColumns: ["k"],
                                       constLabels: [], maxSeries: 10)])
        let error = #expect(throws: CollectorFailure.self) {
            try CollectorOutput(definition: counter, result: result([["a", value]], valueType: 701))
        }
        #expect(error?.reason == .invalidValue)
        #expect(error?.message.contains("a counter cannot be") == true)
        // The same values in a gauge are served.
        #expect((try? CollectorOutput(definition: definition(), result: result([["a", value]], valueType: 701)))?.seriesCount == 1)
    }

    @Test func twoRowsWithTheSameLabelsAreAnInvalidValue() {
        let error = #expect(throws: CollectorFailure.self) {
            try CollectorOutput(definition: definition(), result: result([["a", "1"], ["a", "2"]]))
        }
        #expect(error?.reason == .invalidValue)
    }

    @Test func asManyRowsAsTheCapAreServed() throws {
        let output = try CollectorOutput(definition: definition(maxSeries: 2), result: result([["a", "1"], ["b", "2"]]))
        #expect(output.families.first?.samples.count == 2)
    }

    @Test func moreRowsThanTheCapIsCardinality() {
        let error = #expect(throws: CollectorFailure.self) {
            try CollectorOutput(definition: definition(maxSeries: 1), result: result([["a", "1"], ["b", "2"]]))
        }
        #expect(error?.reason == .cardinality)
    }

    @Test(arguments: [
        (0.0164, 3, "0.016"), (2.5, 1, "2.5"), (-1.25, 1, "-1.3"), (3.0, 0, "3"), (0.005, 2, "0.01"),
    ])
    func fixedDecimals(value: Double, decimals: Int, expected: String) {
        #expect(TextFormatting.fixed(value, decimals: decimals) == expected)
    }

    @Test func iso8601IsUTCWithMilliseconds() {
        #expect(TextFormatting.iso8601(secondsSinceEpoch: 1_795_317_387.1358) == "2026-11-22T03:16:27.135Z")
        #expect(TextFormatting.iso8601(secondsSinceEpoch: 0) == "1970-01-01T00:00:00.000Z")
    }
}
