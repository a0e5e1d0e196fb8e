import ExporterCore
import HTTPServer
import Logging
import WebConfig

/// Reads `--web.config.file` again and, when it or the files it names changed, serves with it: new basic
/// authentication users and headers, a new certificate and key (a rotated certificate at the same path counts),
/// a new client CA. The listening socket stays open (``HTTPServer/replace(tls:handler:)``). Used by
/// ``ReloadService`` on SIGHUP; exporter-toolkit's exporters re-read the file on every request and handshake
/// instead, which costs a file read per scrape.
struct WebReloader {
    /// What the server serves with now.
    private struct Running: Equatable {
        let web: WebConfiguration
        let tls: TLSConfiguration?
    }

    let options: WebOptions
    let server: HTTPServer
    let store: SnapshotStore
    private var running: Running

    init(options: WebOptions, server: HTTPServer, store: SnapshotStore, running web: WebConfiguration) {
        self.options = options
        self.server = server
        self.store = store
        self.running = Running(web: web, tls: server.configuration.tls)
    }

    /// What a reload did.
    enum Outcome: Equatable {
        /// No `--web.config.file`: nothing to read.
        case noFile
        /// The file and the files it names read the same as before.
        case unchanged
        /// The server serves with the new configuration.
        case applied(tls: Bool, basicAuth: Bool)
    }

    /// Reads the web config again and applies it when it changed. Throws, and leaves the server as it was, when
    /// the file or the certificate, key or CA it names does not load, or the server cannot serve with them.
    mutating func reload() throws -> Outcome {
        guard options.configFile != nil else { return .noFile }
        let web = try options.webConfiguration()
        let next = Running(web: web, tls: try options.serverConfiguration(web).tls)
        guard next != running else { return .unchanged }
        try server.replace(
            tls: next.tls,
            handler: ServeCommand.webHandler(store: store, telemetryPath: options.telemetryPath, web: web))
        running = next
        return .applied(tls: next.tls != nil, basicAuth: !web.basicAuthUsers.isEmpty)
    }
}
