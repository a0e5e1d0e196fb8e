import ArgumentParser
import FoundationEssentials
import HTTPServer
import TextFile
import WebConfig

/// The HTTP endpoint, with the flag names of the Prometheus exporters.
struct WebOptions: ParsableArguments {
    @Option(name: .customLong("web.listen-address"), help: "Address to listen on for the web interface and telemetry, host:port; \":9488\" is every interface, IPv4 and IPv6. Repeatable: every address given is served, and the exporter does not start unless it can listen on all of them.")
    var listenAddresses: [String] = [Self.defaultListenAddress]

    static let defaultListenAddress = ":9488"

    @Flag(name: .customLong("web.systemd-socket"), help: "Serve on the sockets systemd passes (socket activation: a .socket unit's ListenStream= lines) instead of --web.listen-address.")
    var systemdSocket = false

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics.")
    var telemetryPath = "/metrics"

    @Option(name: .customLong("web.config.file"), help: ArgumentHelp("A Prometheus exporter-toolkit web config file: TLS (tls_server_config) and basic authentication (basic_auth_users).", valueName: "path"))
    var configFile: String?

    @Option(name: .customLong("web.config.reload-interval"), help: ArgumentHelp("How often the web config file, and the certificate, key and client CA it names, are read again; a change is served without SIGHUP (0s: only on SIGHUP).", valueName: "duration"))
    var configReloadInterval = DurationArgument(argument: "30s")!

    @Option(name: .customLong("web.max-connections"), help: "The most HTTP connections served at once; more wait in the kernel's queue.")
    var maxConnections = 1024

    @Option(name: .customLong("web.max-connections-per-ip"), help: "The most HTTP connections from one client address (0: no limit but --web.max-connections); more from it are closed at once, so that one client cannot take every connection.")
    var maxConnectionsPerIP = 64

    @Option(name: .customLong("web.threads"), help: "Threads that serve HTTP requests (libmicrohttpd's thread pool, each polling its own connections). One serves tens of thousands of scrapes a second; more add throughput and, on a small machine, tail latency.")
    var threads = 1

    @Option(name: .customLong("web.connection-timeout"), help: "An HTTP connection that has not sent a complete request for this long (from its opening or its previous response: idle, or sending its headers slowly) is closed; 0s: never.")
    var connectionTimeout = DurationArgument(argument: "10s")!

    func validate() throws {
        let listeners = try listenAddresses.map(Self.listener(parsing:))
        if let twice = HTTPListener.firstRepeated(in: listeners) {
            throw ValidationError("--web.listen-address \"\(listenAddresses[twice])\" is given twice")
        }
        // The landing page links to it as written: "//host" would point at another host, and "%6d" is not what
        // libmicrohttpd compares (it decodes the request's path).
        guard telemetryPath.hasPrefix("/"), !telemetryPath.hasPrefix("//"), telemetryPath.count > 1,
              !["/-/healthy", "/-/ready"].contains(telemetryPath),
              !telemetryPath.unicodeScalars.contains(where: {
                  "?#%\\".unicodeScalars.contains($0) || $0.properties.isWhitespace || $0.properties.generalCategory == .control
              }) else {
            throw ValidationError("--web.telemetry-path must be a path such as /metrics (not /, //…, /-/healthy or /-/ready; no query, fragment, percent-encoding, backslash or space)")
        }
        guard configReloadInterval.duration == .zero || configReloadInterval.duration >= .seconds(1) else {
            throw ValidationError("--web.config.reload-interval must be 0s (only on SIGHUP) or at least 1s")
        }
        guard maxConnections >= 1 else { throw ValidationError("--web.max-connections must be at least 1") }
        guard maxConnectionsPerIP >= 0 else { throw ValidationError("--web.max-connections-per-ip must be 0 (no limit) or more") }
        guard (1...maxConnections).contains(threads), threads <= 64 else {
            throw ValidationError("--web.threads must be from 1 to 64 and at most --web.max-connections (\(maxConnections))")
        }
    }

    /// `:9488`, `0.0.0.0:9488`, `127.0.0.1:9488`, `[::1]:9488`, `localhost:9488`.
    static func listener(parsing address: String) throws -> HTTPListener {
        guard let colon = address.lastIndex(of: ":"), !(address.hasPrefix("[") && address.hasSuffix("]")) else {
            throw ValidationError("--web.listen-address \"\(address)\": missing port (write host:port or :port)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(where: { $0 == ":" || $0 == "[" || $0 == "]" }) {
            throw ValidationError("--web.listen-address \"\(address)\": an IPv6 address goes in brackets ([::1]:9488)")
        }
        guard let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--web.listen-address \"\(address)\": the port must be a number from 0 to 65535")
        }
        return .address(host: host, port: port)
    }

    /// The web config file's content; an empty configuration without the flag.
    func webConfiguration() throws -> WebConfiguration {
        guard let configFile else { return WebConfiguration() }
        return try WebConfigurationLoader.load(path: configFile)
    }

    /// The server's configuration with `web`'s TLS and headers, listening on the `--web.listen-address`es
    /// (``ServeCommand`` puts systemd's sockets in their place with `--web.systemd-socket`).
    func serverConfiguration(_ web: WebConfiguration) throws -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.listeners = try listenAddresses.map(Self.listener(parsing:))
        configuration.connectionLimit = maxConnections
        configuration.perAddressConnectionLimit = maxConnectionsPerIP
        configuration.threadCount = threads
        configuration.connectionTimeout = connectionTimeout.duration
        configuration.headers = web.headers.sorted { $0.key < $1.key }.map { HTTPHeader(name: $0.key, value: $0.value) }
        if let tls = web.tls {
            func read(_ path: String, _ what: String) throws -> String {
                do {
                    return try TextFile.text(path: path)
                } catch {
                    throw ValidationError("\(configFile ?? ""): cannot read \(what) \(path): \(error.reason)")
                }
            }
            configuration.tls = TLSConfiguration(
                certificatePEM: try read(tls.certFile, "cert_file"),
                privateKeyPEM: try read(tls.keyFile, "key_file"),
                clientCAPEM: try tls.clientCAFile.map { try read($0, "client_ca_file") },
                clientAuth: TLSConfiguration.ClientAuth(rawValue: tls.clientAuthType) ?? .none,
                minimumVersion: TLSConfiguration.Version(rawValue: tls.minVersion) ?? .tls12
            )
        }
        return configuration
    }
}
