import Dispatch
import ExporterCore
import HTTPServer
import Synchronization
import WebConfig

/// Reads `--web.config.file` again and, when it or the files it names changed, serves with it: new basic
/// authentication users and headers, a new certificate and key (a certificate renewed at the same path counts),
/// a new client CA. The listening socket stays open (``HTTPServer/replace(tls:headers:handler:grace:)``). Used by
/// ``ReloadService`` on SIGHUP; exporter-toolkit's exporters re-read the file on every request and handshake
/// instead, which costs a file read per scrape.
final class WebReloader: Sendable {
    /// What a reload did.
    enum Outcome: Equatable {
        /// No `--web.config.file`: nothing to read.
        case noFile
        /// The file and the files it names read the same as before.
        case unchanged
        /// The server serves with the new configuration.
        case applied(tls: Bool, basicAuth: Bool, warnings: [String])
    }

    let options: WebOptions
    private let server: HTTPServer
    private let store: SnapshotStore
    /// The web config the server serves with now (its TLS material is the server's own configuration's).
    private let running: Mutex<WebConfiguration>
    /// The credentials verified so far: a new handler keeps them (for the users whose hash did not change).
    private let verified: VerifiedCredentials

    init(
        options: WebOptions, server: HTTPServer, store: SnapshotStore, running web: WebConfiguration,
        verified: VerifiedCredentials
    ) {
        self.options = options
        self.server = server
        self.store = store
        self.running = Mutex(web)
        self.verified = verified
    }

    /// ``reloadNow()`` on a dispatch queue: replacing the server's daemon waits for its threads and for the
    /// requests in flight, which must not hold a thread of Swift's cooperative pool.
    func reload() async throws -> Outcome {
        try await DispatchQueue.blocking { try self.reloadNow() }
    }

    /// What the web config file and the files it names hold now, as the server would serve it, or why they do
    /// not load. ``WebConfigWatchService`` compares it with what it saw last time.
    enum OnDisk: Equatable {
        case loaded(WebConfiguration, TLSConfiguration?)
        case failed(String)
    }

    /// Reads the files without applying them.
    func onDisk() -> OnDisk {
        do {
            let web = try options.webConfiguration()
            let tls = try options.serverConfiguration(web).tls
            try tls?.checkMaterial()
            return .loaded(web, tls)
        } catch {
            return .failed("\(error)")
        }
    }

    /// Whether `files` differ from what the server serves with (files that do not load differ).
    func differsFromRunning(_ files: OnDisk) -> Bool {
        guard case .loaded(let web, let tls) = files else { return true }
        return web != running.withLock({ $0 }) || tls != server.configuration.tls
    }

    /// Reads the web config again and applies it when it changed. Throws, and leaves the server as it was, when
    /// the file or the certificate, key or CA it names does not load, or the server cannot serve with them.
    func reloadNow() throws -> Outcome {
        guard options.configFile != nil else { return .noFile }
        let web = try options.webConfiguration()
        let configuration = try options.serverConfiguration(web)
        let tls = configuration.tls
        guard differsFromRunning(.loaded(web, tls)) else { return .unchanged }
        try server.replace(
            tls: tls, headers: configuration.headers,
            handler: ServeCommand.webHandler(store: store, telemetryPath: options.telemetryPath, web: web, verified: verified))
        running.withLock { $0 = web }
        return .applied(tls: tls != nil, basicAuth: !web.basicAuthUsers.isEmpty, warnings: web.warnings)
    }
}
