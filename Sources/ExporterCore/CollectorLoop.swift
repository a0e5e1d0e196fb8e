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
        var retriedEarly = false
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let failedToConnect = await runOnce()
            let jitter = min(definition.interval * 0.05, .seconds(1)) * Double.random(in: 0...1)
            let next = started + definition.interval + jitter
            if failedToConnect && !retriedEarly {
                // Once per interval, a run that found no database is tried again as soon as another collector reaches
                // it: after an outage every figure is back within seconds, not one interval (up to 5 minutes) later.
                retriedEarly = await waitForDatabase(until: next)
            } else {
                retriedEarly = false
                try? await Task.sleep(until: next, clock: .continuous)
            }
        }
    }

    /// Waits until the pool has reached the database again (true) or `next` comes (false), looking once a second.
    private func waitForDatabase(until next: ContinuousClock.Instant) async -> Bool {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            if now >= next { return false }
            try? await Task.sleep(until: min(now + .seconds(1), next), clock: .continuous)
            if await pool.databaseReachable == true, ContinuousClock.now < next { return true }
        }
        return false
    }

    /// One run, logged and recorded in the store. True when it failed for want of a connection.
    @discardableResult
    func runOnce() async -> Bool {
        guard let run = await CollectorRun.execute(definition, on: pool) else { return false }
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
        return status.failedToConnect
    }
}
