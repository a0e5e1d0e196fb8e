/// The `--web.config.file` of the Prometheus exporter-toolkit, as far as chat-exporter serves it:
/// TLS (`tls_server_config`), basic authentication (`basic_auth_users`) and response headers
/// (`http_server_config.headers`).
public struct WebConfiguration: Sendable, Equatable {
    public struct TLS: Sendable, Equatable {
        /// Absolute paths (relative ones are resolved against the web config file's folder).
        public var certFile: String
        public var keyFile: String
        public var clientCAFile: String?
        /// One of the Go names: NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven,
        /// RequireAndVerifyClientCert.
        public var clientAuthType: String
        /// TLS12 or TLS13.
        public var minVersion: String
    }

    public var tls: TLS?
    /// user → bcrypt hash.
    public var basicAuthUsers: [String: String]
    /// Extra headers sent with every response.
    public var headers: [String: String]

    public init(tls: TLS? = nil, basicAuthUsers: [String: String] = [:], headers: [String: String] = [:]) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.headers = headers
    }
}

/// A web config file that does not load: one line, naming the file and, where known, line and column.
public struct WebConfigError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}
