import CollectorConfig
import FoundationEssentials

/// The mutable state a snapshot is rendered from. Only the ``SnapshotStore`` holds it, under its lock.
struct ExporterState: Sendable {
    /// Collectors in configuration order.
    var collectors: [CollectorStatus] = []
    var databaseUp: Bool?
    var databaseConnections = 0
    var databaseMaxConnections = 0
    var configReloadSuccessful = true
    var configLastReloadSuccessAt = Date()
    var configPath: String
    var process = ProcessMetrics()
    /// HTTP responses by status code, as the HTTP server last reported them; 200 and 503 (a scrape, readiness) from
    /// the start, as client_golang's promhttp starts its codes at 0, so that a rate() sees the first ones.
    var httpResponses: [Int: Int] = Self.initialHTTPResponses
    static let initialHTTPResponses = [200: 0, 503: 0]
    /// Connections the HTTP server closed because they kept sending without completing a request in time.
    var httpSlowConnectionsClosed = 0
    /// Connections libmicrohttpd closed at once at the per-address limit (``SnapshotStore/HTTPTraffic``).
    var httpConnectionsRefused = 0
    var databaseTarget: String

    /// Ready once every collector has finished a run against a reachable database (one that failed to connect does
    /// not count) and the database is up: before that the exporter has nothing true to say. It then stays ready: a later outage, or collectors a reload added, are in the
    /// metrics (`chat_exporter_database_up`, the collectors' errors) for Prometheus to alert on, while a readiness
    /// probe that followed the database would take the pod out of its Service (a sidecar's whole pod) for a
    /// failure the exporter is there to report. ``updateReadiness()`` sets it.
    private(set) var isReady = false

    /// Sets ``isReady`` the first time its conditions hold; called after every change. True when this call did.
    mutating func updateReadiness() -> Bool {
        guard !isReady, databaseUp == true, !collectors.isEmpty, collectors.allSatisfy(\.hasReachedDatabase) else {
            return false
        }
        isReady = true
        return true
    }

    /// Replaces the collector definitions, keeping the counters and last results of collectors that keep their name.
    mutating func apply(_ definitions: [CollectorDefinition]) {
        let previous = Dictionary(collectors.map { ($0.definition.name, $0) }, uniquingKeysWith: { first, _ in first })
        collectors = definitions.map { definition in
            guard var status = previous[definition.name] else { return CollectorStatus(definition: definition) }
            if status.definition != definition {
                status.lastRun = nil  // its old series answered another question
            }
            status.definition = definition
            return status
        }
    }

    mutating func record(_ run: CollectorStatus.Run, for name: String) {
        guard let index = collectors.firstIndex(where: { $0.definition.name == name }) else { return }
        collectors[index].record(run)
    }
}
