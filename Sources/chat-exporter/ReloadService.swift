import ExporterCore
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the collectors file and the web config file on SIGHUP. A file that does not load keeps its running
/// configuration and sets `chat_exporter_config_last_reload_successful` to 0; the reload counts as successful (and
/// moves `chat_exporter_config_last_reload_success_timestamp_seconds`) only when both loaded.
struct ReloadService: Service, CustomStringConvertible {
    var description: String { "reload" }

    let source: CollectorsSource
    let scheduler: Scheduler
    let store: SnapshotStore
    let web: WebReloader
    let releaseRequest: PageReleaseRequest
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            var failed = false
            do {
                let file = try source.load()
                await scheduler.reload(file.collectors, path: source.displayName)
                logger.info("configuration reloaded", metadata: ["file": "\(source.displayName)", "collectors": .stringConvertible(file.collectors.count)])
            } catch {
                failed = true
                logger.error("configuration reload failed; keeping the running configuration", metadata: ["err": "\(error)"])
            }
            do {
                switch try await web.reload() {
                case .noFile:
                    break
                case .unchanged:
                    logger.info("web configuration unchanged", metadata: ["file": "\(web.options.configFile ?? "")"])
                case .applied(let tls, let basicAuth, let warnings):
                    logger.info("web configuration reloaded", metadata: [
                        "file": "\(web.options.configFile ?? "")", "tls": .stringConvertible(tls), "basic_auth": .stringConvertible(basicAuth),
                    ])
                    logger.webConfigurationWarnings(warnings, file: web.options.configFile)
                }
            } catch {
                failed = true
                logger.error("web configuration reload failed; keeping the running web configuration", metadata: ["err": "\(error)"])
            }
            store.recordReload(successful: !failed)
            releaseRequest.request()
        }
    }
}
