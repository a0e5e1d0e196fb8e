import ExporterCore
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the collectors file on SIGHUP. A file that does not load keeps the running configuration and sets
/// `chat_exporter_config_last_reload_successful` to 0.
struct ReloadService: Service, CustomStringConvertible {
    var description: String { "reload" }

    let source: CollectorsSource
    let scheduler: Scheduler
    let store: SnapshotStore
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                let file = try source.load()
                await scheduler.reload(file.collectors, path: source.displayName)
                logger.info("configuration reloaded", metadata: ["file": "\(source.displayName)", "collectors": "\(file.collectors.count)"])
            } catch {
                store.recordFailedReload()
                logger.error("configuration reload failed; keeping the running configuration", metadata: ["err": "\(error)"])
            }
        }
    }
}
