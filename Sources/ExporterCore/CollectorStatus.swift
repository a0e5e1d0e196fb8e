public import CollectorConfig
public import FoundationEssentials

/// Everything the exporter knows about one collector: its definition, its counters, and its last run.
public struct CollectorStatus: Sendable {
    /// The outcome of one run.
    public struct Run: Sendable {
        public let startedAt: Date
        public let duration: Duration
        public let outcome: Result<CollectorOutput, CollectorFailure>

        /// Whether the run failed for want of a connection to the database (not one that broke while its statement
        /// ran: that run reached the database).
        public var failedToConnect: Bool {
            if case .failure(let failure) = outcome { return failure.connectionNeverMade }
            return false
        }
    }

    public internal(set) var definition: CollectorDefinition
    public internal(set) var runs = 0
    public internal(set) var errors: [CollectorErrorReason: Int] = Dictionary(uniqueKeysWithValues: CollectorErrorReason.allCases.map { ($0, 0) })
    public internal(set) var nullValuesSkipped = 0
    public internal(set) var lastRun: Run?
    public internal(set) var lastSuccessAt: Date?
    /// Whether a run has reached the database: succeeded, or failed for a reason other than the connection.
    public internal(set) var hasReachedDatabase = false

    init(definition: CollectorDefinition) {
        self.definition = definition
    }

    /// The families to serve: the last run's when it succeeded, none when it failed (no stale numbers).
    var servedFamilies: [Exposition.MetricFamily] {
        guard case .success(let output)? = lastRun?.outcome else { return [] }
        return output.families
    }

    mutating func record(_ run: Run) {
        runs += 1
        lastRun = run
        switch run.outcome {
        case .success(let output):
            lastSuccessAt = run.startedAt.addingTimeInterval(run.duration.seconds)
            nullValuesSkipped += output.nullValuesSkipped
        case .failure(let failure):
            errors[failure.reason, default: 0] += 1
        }
        if !run.failedToConnect { hasReachedDatabase = true }
    }
}

import Exposition

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
