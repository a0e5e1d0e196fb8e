@testable import ChatCheck
import CollectorConfig
@testable import ExporterCore
import Exposition
import FoundationEssentials
import PostgresClient
import Testing

/// What `check` makes of one run of the collectors: which failures mean "cannot connect", and the audit ratio's
/// threshold.
struct CheckReportRunsTests {
    private static let target = ConnectionTarget(host: "db.internal", port: "5432", database: "thebot_db", user: "monitor")

    private static func definition(_ name: String) -> CollectorDefinition {
        CollectorDefinition(
            name: name, description: nil, sql: "SELECT", interval: .seconds(30), timeout: .seconds(5), parameters: [],
            metrics: [MetricDefinition(name: "\(name)_value", type: .gauge, help: "Help.", valueColumn: "v", labelColumns: [],
                                       constLabels: [], maxSeries: 10)])
    }

    private static func run(_ name: String, _ outcome: Result<CollectorOutput, CollectorFailure>) -> CollectorRun {
        CollectorRun(definition: definition(name), startedAt: Date(), duration: .milliseconds(1), rowCount: 0, outcome: outcome)
    }

    private static func succeeded(_ name: String) throws -> CollectorRun {
        let output = try CollectorOutput(
            definition: definition(name), result: QueryResult(columns: [.init(name: "v", typeOID: 20)], rows: [["1"]], commandTag: "SELECT"))
        return run(name, .success(output))
    }

    /// One collector losing its connection (a terminated backend, "too many clients") while the others ran is that
    /// collector's failure, named; only when every collector failed to connect is the database unreachable.
    @Test func oneCollectorLosingItsConnectionIsNamedNotUnreachable() throws {
        let lost = CollectorFailure(reason: .connection, message: "server closed the connection unexpectedly")
        let report = CheckReport(target: Self.target, runs: [
            try Self.succeeded("chat_rooms"), Self.run("chat_lessons", .failure(lost)),
        ])
        #expect(report.connection.connected)
        #expect(report.checks.contains { $0.name == "chat_lessons" && $0.status == .problem })

        let unreachable = CheckReport(target: Self.target, runs: [Self.run("chat_rooms", .failure(lost)), Self.run("chat_lessons", .failure(lost))])
        #expect(!unreachable.connection.connected)
    }

    /// An action failing more than 5 % of its calls over the last hour is a warning; 5 % is not.
    @Test(arguments: [(0.06, CheckReport.Status.warning), (0.05, .ok), (0.0, .ok)])
    func theAuditErrorRatioWarnsPastItsThreshold(ratio: Double, status: CheckReport.Status) throws {
        let family = MetricFamily(name: "chat_audit_error_ratio", type: .gauge, help: "", samples: [
            Sample(labels: [Label(name: "action", value: "chat.message.send"), Label(name: "window", value: "1h")], value: ratio),
            Sample(labels: [Label(name: "action", value: "chat.message.send"), Label(name: "window", value: "24h")], value: 1),
        ])
        var builder = CheckBuilder(lookup: MetricLookup(families: [family]), thresholds: CheckReport.Thresholds())
        builder.addAuditChecks()
        #expect(builder.checks.map(\.status) == [status])
        #expect(builder.checks.first?.name == "chat.message.send")
    }
}
