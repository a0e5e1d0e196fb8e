public import CollectorConfig
public import FoundationEssentials
public import PostgresClient

/// One run of one collector: its statement on a pooled connection, the rows turned into families.
public struct CollectorRun: Sendable {
    public let definition: CollectorDefinition
    public let startedAt: Date
    public let duration: Duration
    public let rowCount: Int
    public let outcome: Result<CollectorOutput, CollectorFailure>

    /// Runs `definition` once. Returns nil only when the run was cancelled (shutdown or reload): that is not a
    /// failure of the collector and is not recorded.
    public static func execute(_ definition: CollectorDefinition, on pool: ConnectionPool) async -> CollectorRun? {
        let startedAt = Date()
        let started = ContinuousClock.now
        let outcome: Result<CollectorOutput, CollectorFailure>
        var rowCount = 0
        do {
            let result = try await pool.query(definition.sql, parameters: definition.parameters, timeout: definition.timeout)
            rowCount = result.rows.count
            outcome = .success(try CollectorOutput(definition: definition, result: result))
        } catch let failure as CollectorFailure {
            outcome = .failure(failure)
        } catch let error as PostgresError {
            if Task.isCancelled { return nil }
            outcome = .failure(CollectorFailure(error))
        } catch {
            if Task.isCancelled { return nil }
            outcome = .failure(CollectorFailure(reason: .query, message: "\(error)"))
        }
        return CollectorRun(definition: definition, startedAt: startedAt, duration: ContinuousClock.now - started, rowCount: rowCount, outcome: outcome)
    }

    /// Runs every definition once, at most `concurrency` at a time, and returns the runs in definition order.
    public static func executeAll(_ definitions: [CollectorDefinition], on pool: ConnectionPool, concurrency: Int) async -> [CollectorRun] {
        await withTaskGroup(of: (Int, CollectorRun?).self) { group in
            var runs = [CollectorRun?](repeating: nil, count: definitions.count)
            var next = 0
            func startNext() {
                guard next < definitions.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await execute(definitions[index], on: pool)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            for await (index, run) in group {
                runs[index] = run
                startNext()
            }
            return runs.compactMap { $0 }
        }
    }
}

extension CollectorFailure {
    init(_ error: PostgresError) {
        let reason: CollectorErrorReason = switch error.kind {
        case .timeout, .cancelled: .timeout
        // A setting the server refused (--database.timezone) is the exporter's configuration, not an outage.
        case .configuration where error.isSettingRefusedByServer: .query
        case .connection, .configuration: .connection
        default: .query
        }
        self.init(
            reason: reason, message: error.message, sqlState: error.sqlState,
            connectionNeverMade: reason == .connection && !error.statementStarted)
    }
}
