import CollectorConfig
import Foundation
import Logging
import PostgresClient

/// The schedule of one collector: run, wait for the next tick, repeat until cancelled.
struct CollectorLoop: Sendable {
    let definition: CollectorDefinition
    let pool: ConnectionPool
    let store: SnapshotStore
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            let started = ContinuousClock.now
            await runOnce()
            let jitter = min(definition.interval * 0.05, .seconds(1)) * Double.random(in: 0...1)
            try? await Task.sleep(until: started + definition.interval + jitter, clock: .continuous)
        }
    }

    /// One run: the statement, its rows turned into families, the outcome recorded.
    func runOnce() async {
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
            if Task.isCancelled { return }  // shutting down or reloading: not a failure of the collector
            outcome = .failure(CollectorFailure(error))
        } catch {
            if Task.isCancelled { return }
            outcome = .failure(CollectorFailure(reason: .query, message: "\(error)"))
        }
        let duration = ContinuousClock.now - started
        switch outcome {
        case .success(let output):
            logger.debug("collector run", metadata: [
                "collector": "\(definition.name)", "duration_seconds": "\(duration.seconds)",
                "rows": "\(rowCount)", "series": "\(output.seriesCount)",
            ])
        case .failure(let failure):
            var metadata: Logger.Metadata = [
                "collector": "\(definition.name)", "reason": "\(failure.reason.rawValue)",
                "duration_seconds": "\(duration.seconds)", "err": "\(failure.message)",
            ]
            if let sqlState = failure.sqlState { metadata["sqlstate"] = "\(sqlState)" }
            logger.warning("collector run failed", metadata: metadata)
        }
        let run = CollectorStatus.Run(startedAt: startedAt, duration: duration, outcome: outcome)
        store.record(run, for: definition.name, databaseUp: await pool.databaseReachable, connections: await pool.connectionCount)
    }
}

extension CollectorFailure {
    init(_ error: PostgresError) {
        let reason: CollectorErrorReason = switch error.kind {
        case .timeout, .cancelled: .timeout
        case .connection, .configuration: .connection
        default: .query
        }
        self.init(reason: reason, message: error.message, sqlState: error.sqlState)
    }
}
