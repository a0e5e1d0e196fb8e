import CollectorConfig
import FoundationEssentials
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

    /// One run, logged and recorded in the store.
    func runOnce() async {
        guard let run = await CollectorRun.execute(definition, on: pool) else { return }
        switch run.outcome {
        case .success(let output):
            logger.debug("collector run", metadata: [
                "collector": "\(definition.name)", "duration_seconds": .stringConvertible(run.duration.seconds),
                "rows": .stringConvertible(run.rowCount), "series": .stringConvertible(output.seriesCount),
            ])
        case .failure(let failure):
            var metadata: Logger.Metadata = [
                "collector": "\(definition.name)", "reason": "\(failure.reason.rawValue)",
                "duration_seconds": .stringConvertible(run.duration.seconds), "err": "\(failure.message)",
            ]
            if let sqlState = failure.sqlState { metadata["sqlstate"] = "\(sqlState)" }
            logger.warning("collector run failed", metadata: metadata)
        }
        let status = CollectorStatus.Run(startedAt: run.startedAt, duration: run.duration, outcome: run.outcome)
        store.record(status, for: definition.name, databaseUp: await pool.databaseReachable, connections: await pool.connectionCount)
    }
}
