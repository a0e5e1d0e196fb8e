import ArgumentParser
import CollectorConfig
import ExporterCore
import FoundationEssentials
import HTTPServer
import Logging
import PostgresClient
import ServiceLifecycle
import WebConfig

/// Runs the exporter: the collectors in the background, `/metrics` in the foreground, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the exporter (the default command)."
    )

    @Option(name: .customLong("config.file"), help: ArgumentHelp("The collectors file (YAML). Without it, the embedded default collectors run.", valueName: "path"))
    var configFile: String?

    @OptionGroup(title: "Web") var web: WebOptions
    @OptionGroup(title: "Database") var database: DatabaseOptions
    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        let source = CollectorsSource(path: configFile)
        let collectors: CollectorsFile
        let settings: ConnectionSettings
        var serverConfiguration: HTTPServerConfiguration
        let webConfiguration: WebConfiguration
        do {
            collectors = try source.load()
            settings = try database.connectionSettings()
            webConfiguration = try web.webConfiguration()
            serverConfiguration = try web.serverConfiguration(webConfiguration)
            if web.systemdSocket {
                serverConfiguration.listeners = try SystemdSocket.take(environment: ProcessInfo.processInfo.environment)
                    .map(HTTPListener.socket)
            }
        } catch {
            logger.error("cannot start", metadata: ["err": "\(error)"])
            throw ExitCode(1)
        }
        FileDescriptorLimit.raiseToHardLimit()

        let target = settings.target
        let store = SnapshotStore(
            definitions: collectors.collectors, configPath: source.displayName, databaseTarget: target.description,
            databaseMaxConnections: database.maxConnections, telemetryPath: web.telemetryPath,
            onFirstReady: { [logger] in
                // Start-up's pages are no longer needed once there is something true to serve.
                MemoryTrim.releaseInBackground { outcome in
                    let heap = MemoryTrim.trimHeap()
                    logger.debug("released start-up memory", metadata: [
                        "mappings": .stringConvertible(outcome.mappings), "offered_bytes": .stringConvertible(outcome.offeredBytes),
                        "unmapped_bytes": .stringConvertible(outcome.unmappedBytes),
                        "libraries_unmapped_bytes": .stringConvertible(outcome.librariesUnmappedBytes), "heap_released_bytes": .stringConvertible(heap),
                    ])
                }
            })
        var poolConfiguration = database.pool
        poolConfiguration.onNotice = logger.noticeHandler()
        poolConfiguration.onReachabilityChange = logger.reachabilityHandler()
        let pool = ConnectionPool(settings: settings, session: database.session, configuration: poolConfiguration)
        let verifiedCredentials = VerifiedCredentials()
        let scheduler = Scheduler(pool: pool, store: store, logger: logger)
        let server = HTTPServer(
            configuration: serverConfiguration,
            handler: Self.webHandler(
                store: store, telemetryPath: web.telemetryPath, web: webConfiguration, verified: verifiedCredentials),
            logger: { [logger] message in logger.debug("libmicrohttpd", metadata: ["detail": "\(message)"]) })

        logger.info("starting chat-exporter", metadata: [
            "version": "\(BuildInfo.version)", "revision": "\(BuildInfo.revision)",
            "collectors": .stringConvertible(collectors.collectors.count), "config": "\(source.displayName)",
            "database": "\(target)", "connection_source": "\(settings.source.rawValue)",
            "tls": .stringConvertible(serverConfiguration.tls != nil), "basic_auth": .stringConvertible(!webConfiguration.basicAuthUsers.isEmpty),
        ])
        logger.webConfigurationWarnings(webConfiguration.warnings, file: web.configFile)
        store.readHTTPTraffic { [server] in
            SnapshotStore.HTTPTraffic(
                responses: server.responsesByStatus, slowConnectionsClosed: server.connectionsClosedWithoutRequest,
                connectionsRefused: server.connectionsRefusedAtLimit)
        }
        // Listen before any collector runs: a port in use (another exporter) stops the start here, before a query
        // has been sent to the database.
        do {
            try server.start()
        } catch {
            logger.error("cannot listen", metadata: ["err": "\(error)"])
            throw ExitCode(1)
        }
        let releaseRequest = PageReleaseRequest()
        let webReloader = WebReloader(options: web, server: server, store: store, running: webConfiguration, verified: verifiedCredentials)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: scheduler),
                .init(service: HTTPService(server: server, logger: logger)),
                .init(service: ReloadService(
                    source: source, scheduler: scheduler, store: store, web: webReloader, releaseRequest: releaseRequest, logger: logger)),
                .init(service: WebConfigWatchService(web: webReloader, interval: web.configReloadInterval.duration, logger: logger)),
                .init(service: HeapTrimService(interval: .seconds(60), pool: pool, releaseRequest: releaseRequest, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        do {
            try await group.run()
        } catch {
            logger.error("exporter stopped", metadata: ["err": "\(error)"])
            throw ExitCode(1)
        }
        logger.info("shut down cleanly")
    }

    /// The routes, served with the web config's basic authentication users (its headers are the server's).
    /// `verified` is the process's one set of verified credentials, which outlives a reload's handler.
    static func webHandler(
        store: SnapshotStore, telemetryPath: String, web: WebConfiguration, verified: VerifiedCredentials
    ) -> WebHandler {
        WebHandler(store: store, telemetryPath: telemetryPath, authorizer: authorizer(web, verified))
    }

    /// Basic authentication when the web config names users; nil (open) otherwise.
    private static func authorizer(_ web: WebConfiguration, _ verified: VerifiedCredentials) -> Authorizer? {
        guard !web.basicAuthUsers.isEmpty else { return nil }
        let authenticator = BasicAuthenticator(users: web.basicAuthUsers, verified: verified)
        return Authorizer(
            decideQuickly: { authenticator.decisionWithoutVerifying(authorizationHeader: $0) },
            verify: { authenticator.authorize(authorizationHeader: $0) })
    }
}
