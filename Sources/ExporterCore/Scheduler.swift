public import CollectorConfig
import FoundationEssentials
public import Logging
public import PostgresClient
public import ServiceLifecycle

/// Runs every collector on its own interval, in the background, and records each run in the ``SnapshotStore``.
///
/// Each collector has one task: it runs at once, then every `interval` (plus a little jitter, so collectors that
/// share an interval spread out), and a run never overlaps the previous run of the same collector. A run that
/// passes its timeout is cancelled on the server; the other collectors keep their schedule. On graceful shutdown
/// the running queries are cancelled and every connection is closed.
public actor Scheduler: Service, CustomStringConvertible {
    public nonisolated var description: String { "scheduler" }

    private let pool: ConnectionPool
    private let store: SnapshotStore
    private let logger: Logger
    private let processSampleInterval: Duration
    private var tasks: [String: (definition: CollectorDefinition, task: Task<Void, Never>)] = [:]

    public init(pool: ConnectionPool, store: SnapshotStore, logger: Logger, processSampleInterval: Duration = .seconds(2)) {
        self.pool = pool
        self.store = store
        self.logger = logger
        self.processSampleInterval = processSampleInterval
    }

    public func run() async throws {
        for definition in store.definitions { start(definition) }
        let sampler = Task { [store, processSampleInterval] in
            while !Task.isCancelled {
                store.recordProcessMetrics(ProcessMetrics.read())
                try? await Task.sleep(for: processSampleInterval)
            }
        }
        try? await gracefulShutdown()
        logger.info("shutting down: cancelling running queries")
        sampler.cancel()
        await stopAll()
        await pool.shutdown()
    }

    /// Replaces the collector definitions. Collectors whose definition did not change keep their schedule; changed
    /// and new ones run at once; removed ones stop and their series disappear.
    public func reload(_ definitions: [CollectorDefinition], path: String) async {
        store.applyReload(definitions, path: path)
        let wanted = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, running) in tasks where wanted[name] != running.definition {
            running.task.cancel()
            await running.task.value
            tasks[name] = nil
        }
        for definition in definitions where tasks[definition.name] == nil {
            start(definition)
        }
    }

    private func start(_ definition: CollectorDefinition) {
        let task = Task { [pool, store, logger] in
            await CollectorLoop(definition: definition, pool: pool, store: store, logger: logger).run()
        }
        tasks[definition.name] = (definition, task)
    }

    private func stopAll() async {
        for running in tasks.values { running.task.cancel() }
        for running in tasks.values { await running.task.value }
        tasks.removeAll()
    }
}
