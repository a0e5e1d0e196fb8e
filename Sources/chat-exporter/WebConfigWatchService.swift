import Dispatch
import ExporterCore
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every `--web.config.reload-interval`, reads the web config file and the certificate, key and client CA it names,
/// and when they differ from what the server serves with, reloads as SIGHUP does (``ReloadService``: the same log
/// lines and `chat_exporter_config_last_reload_successful`): a certificate renewed in place (cert-manager, a
/// Kubernetes Secret the kubelet updates, certbot) is served without anyone sending the signal, as
/// exporter-toolkit's exporters serve it (they read the files at every handshake), within two intervals. Files that
/// do not load are reloaded (and fail) once, not at every look, until they change again; put back as the server
/// serves them, they are reloaded once more, so that the failed reload does not stand.
struct WebConfigWatchService: Service, CustomStringConvertible {
    var description: String { "web-config-watch" }

    let web: WebReloader
    let interval: Duration
    let logger: Logger

    func run() async throws {
        guard web.options.configFile != nil, interval > .zero else {
            // Nothing to watch: stay until shutdown (a service that returns would stop the group).
            try? await gracefulShutdown()
            return
        }
        var lastSeen: WebReloader.OnDisk?
        var previous: WebReloader.OnDisk?
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // shutting down
            }
            let files = await DispatchQueue.blocking { web.onDisk() }
            // Acted on once the files read the same twice in a row: a renewal that writes the certificate and the key
            // one after the other (certbot) is not caught halfway, with a key that does not match.
            defer { previous = files }
            guard files == previous, files != lastSeen else { continue }
            // Files that do not load are reloaded (and fail) once, until they change. Files that load and differ
            // from what the server serves are reloaded at every look until the server serves them: a reload that
            // failed for another reason (the server could not start its threads) is tried again.
            let recovered = if case .failed = lastSeen { true } else { false }
            // Files that load after a failure are acted on once, whichever way (a second SIGHUP would reload the
            // collectors file again).
            if case .failed = files { lastSeen = files } else if recovered { lastSeen = files }
            if web.differsFromRunning(files) {
                logger.info("web configuration changed on disk: reloading", metadata: ["file": "\(web.options.configFile ?? "")"])
                kill(getpid(), SIGHUP)
            } else if recovered {
                // Put back as the server serves it after a reload failed: a reload says so, as the SIGHUP the
                // runbook asks for would (chat_exporter_config_last_reload_successful back to 1).
                logger.info("web configuration loads again: reloading", metadata: ["file": "\(web.options.configFile ?? "")"])
                kill(getpid(), SIGHUP)
            }
        }
    }
}
