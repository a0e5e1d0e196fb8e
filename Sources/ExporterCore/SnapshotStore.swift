public import CollectorConfig
import Exposition
import FoundationEssentials
import Gzip
import HTTPServer
import Synchronization

/// Holds the exporter's state and the current ``Snapshot``.
///
/// Writers (collector runs, reloads, the process sampler) change the state and render a new snapshot under the
/// state lock; readers (scrapes) take the current snapshot under a second lock held only to copy a reference, so a
/// scrape never waits for a render, a query or I/O.
public final class SnapshotStore: Sendable {
    private let state: Mutex<ExporterState>
    private let current: Mutex<Snapshot>
    private let page: LandingPage
    private let onFirstReady: (@Sendable () -> Void)?
    private let httpTrafficSource = Mutex<(@Sendable () -> HTTPTraffic)?>(nil)

    /// `onFirstReady` runs once, after the first ready snapshot is stored, on the thread that stored it.
    public init(
        definitions: [CollectorDefinition], configPath: String, databaseTarget: String, databaseMaxConnections: Int,
        telemetryPath: String, onFirstReady: (@Sendable () -> Void)? = nil
    ) {
        var initial = ExporterState(configPath: configPath, databaseTarget: databaseTarget)
        initial.databaseMaxConnections = databaseMaxConnections
        initial.apply(definitions)
        let page = LandingPage(telemetryPath: telemetryPath)
        self.page = page
        self.onFirstReady = onFirstReady
        self.current = Mutex(Self.render(initial, generation: 0, page: page))
        self.state = Mutex(initial)
    }

    /// The snapshot to answer from. Cheap: a reference copy under a lock.
    public func snapshot() -> Snapshot {
        current.withLock { $0 }
    }

    /// The definitions currently scheduled.
    public var definitions: [CollectorDefinition] {
        state.withLock { $0.collectors.map(\.definition) }
    }

    func record(_ run: CollectorStatus.Run, for collector: String, databaseUp: Bool?, connections: Int) {
        update {
            $0.record(run, for: collector)
            if let databaseUp { $0.databaseUp = databaseUp }
            $0.databaseConnections = connections
        }
    }

    func applyReload(_ definitions: [CollectorDefinition], path: String) {
        update {
            $0.apply(definitions)
            $0.configPath = path
        }
    }

    /// Records how the last reload went, once every part of it (the collectors file, the web config) is done: a
    /// success moves `chat_exporter_config_last_reload_success_timestamp_seconds`; a failure keeps it, and the
    /// running configuration stays.
    public func recordReload(successful: Bool) {
        update {
            $0.configReloadSuccessful = successful
            if successful { $0.configLastReloadSuccessAt = Date() }
        }
    }

    func recordProcessMetrics(_ metrics: ProcessMetrics) {
        let traffic = httpTrafficSource.withLock { $0 }?()
        update { state in
            state.process = metrics
            if let traffic {
                state.httpResponses = ExporterState.initialHTTPResponses.merging(traffic.responses) { $1 }
                state.httpSlowConnectionsClosed = traffic.slowConnectionsClosed
                state.httpConnectionsRefused = traffic.connectionsRefused
            }
        }
    }

    /// What the HTTP server reports of its traffic, for the self-metrics.
    public struct HTTPTraffic: Sendable {
        /// Responses by status code.
        public var responses: [Int: Int]
        /// Connections closed because they kept sending without completing a request in time.
        public var slowConnectionsClosed: Int
        /// Connections closed as soon as they were accepted, at the per-address connection limit.
        public var connectionsRefused: Int
        public init(responses: [Int: Int], slowConnectionsClosed: Int, connectionsRefused: Int) {
            self.responses = responses
            self.slowConnectionsClosed = slowConnectionsClosed
            self.connectionsRefused = connectionsRefused
        }
    }

    /// Where the process sampler reads the HTTP server's traffic (``recordProcessMetrics(_:)``, every two seconds).
    /// The store is made before the server, whose handler serves the store's snapshots.
    public func readHTTPTraffic(from source: @escaping @Sendable () -> HTTPTraffic) {
        httpTrafficSource.withLock { $0 = source }
    }

    private func update(_ change: (inout ExporterState) -> Void) {
        let becameReady = state.withLock { state in
            change(&state)
            let becameReady = state.updateReadiness()
            let generation = current.withLock { $0.generation } + 1
            let snapshot = Self.render(state, generation: generation, page: page)
            current.withLock { $0 = snapshot }
            return becameReady
        }
        if becameReady {
            onFirstReady?()
        }
    }

    private static func render(_ state: ExporterState, generation: Int, page: LandingPage) -> Snapshot {
        let families = state.allFamilies
        let text = ExpositionEncoder.encode(families, format: .prometheusText)
        let openMetrics = ExpositionEncoder.encode(families, format: .openMetrics)
        return Snapshot(
            generation: generation,
            prometheusText: HTTPBody(text),
            prometheusTextGzip: HTTPBody(Gzip.compress(text)),
            openMetrics: HTTPBody(openMetrics),
            openMetricsGzip: HTTPBody(Gzip.compress(openMetrics)),
            landingPage: HTTPBody(page.render(state)),
            isReady: state.isReady
        )
    }
}
