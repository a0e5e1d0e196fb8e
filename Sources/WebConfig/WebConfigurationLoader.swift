import FoundationEssentials
import PasswordHash
import TextFile
import YAML

/// Reads and checks a web config file. Unknown keys are errors (exporter-toolkit reads strictly too), and so is
/// anything chat-exporter cannot honour, rather than being silently ignored.
public enum WebConfigurationLoader {
    static let clientAuthTypes = ["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"]
    /// The response headers a web config may set, exactly as exporter-toolkit allows them (one file serves both), with
    /// the values allowed where the header is an enumeration (empty: any value).
    static let configurableHeaders: [String: [String]] = [
        "Content-Security-Policy": [], "Strict-Transport-Security": [], "X-Content-Type-Options": ["nosniff"],
        "X-Frame-Options": ["deny", "sameorigin"], "X-XSS-Protection": [],
    ]

    public static func load(path: String) throws(WebConfigError) -> WebConfiguration {
        let text: String
        do {
            text = try TextFile.text(path: path)
        } catch {
            throw WebConfigError(file: path, line: 0, column: 0, message: "cannot read: \(error.reason)")
        }
        return try parse(yaml: text, path: path)
    }

    public static func parse(yaml: String, path: String) throws(WebConfigError) -> WebConfiguration {
        let base = directory(of: path)
        func fail(_ node: Node?, _ message: String) -> WebConfigError {
            WebConfigError(file: path, line: node?.mark.line ?? 0, column: node?.mark.column ?? 0, message: message)
        }
        let composed: Node?
        do {
            composed = try YAMLComposer.compose(yaml)
        } catch {
            throw syntaxError(error, path: path)
        }
        // An empty file is more often a truncated write than a wish: read as "no TLS, no authentication", a reload
        // would serve the metrics in plain text to anyone. `{}` says that on purpose.
        guard let root = composed else {
            throw fail(nil, "the file is empty (or only comments): write {} for no TLS and no authentication")
        }
        let top = try mapping(root, "the web config", allowed: ["tls_server_config", "http_server_config", "basic_auth_users"], fail)
        var configuration = WebConfiguration()

        if let tlsNode = top["tls_server_config"] {
            let tls = try mapping(tlsNode, "tls_server_config", allowed: ["cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version"], fail)
            func path(_ key: String) throws(WebConfigError) -> String? {
                guard let node = tls[key] else { return nil }
                let value = try scalar(node, key, fail)
                return value.hasPrefix("/") ? value : base + value
            }
            guard let certFile = try path("cert_file"), let keyFile = try path("key_file") else {
                throw fail(tlsNode, "tls_server_config needs both cert_file and key_file")
            }
            let clientAuth = try tls["client_auth_type"].map { node throws(WebConfigError) in try scalar(node, "client_auth_type", fail) } ?? "NoClientCert"
            guard clientAuthTypes.contains(clientAuth) else {
                throw fail(tls["client_auth_type"], "client_auth_type \"\(clientAuth)\" is not one of \(clientAuthTypes.joined(separator: ", "))")
            }
            let clientCA = try path("client_ca_file")
            if clientAuth == "RequireAndVerifyClientCert" || clientAuth == "VerifyClientCertIfGiven", clientCA == nil {
                throw fail(tlsNode, "client_auth_type \(clientAuth) needs client_ca_file")
            }
            let minVersion = try tls["min_version"].map { node throws(WebConfigError) in try scalar(node, "min_version", fail) } ?? "TLS12"
            guard ["TLS12", "TLS13"].contains(minVersion) else {
                throw fail(tls["min_version"], "min_version \"\(minVersion)\" is not supported (TLS12 or TLS13)")
            }
            if let maxNode = tls["max_version"], try scalar(maxNode, "max_version", fail) != "TLS13" {
                throw fail(maxNode, "max_version must be TLS13 (older versions are not offered)")
            }
            configuration.tls = WebConfiguration.TLS(certFile: certFile, keyFile: keyFile, clientCAFile: clientCA, clientAuthType: clientAuth, minVersion: minVersion)
        }

        if let httpNode = top["http_server_config"] {
            let http = try mapping(httpNode, "http_server_config", allowed: ["http2", "headers"], fail)
            if let headers = http["headers"] {
                for (name, node) in try mapping(headers, "headers", allowed: nil, fail) {
                    let value = try scalar(node, name, fail)
                    guard let allowed = configurableHeaders[name] else {
                        let names = configurableHeaders.keys.sorted().joined(separator: ", ")
                        throw fail(node, "HTTP header \"\(name)\" cannot be configured (one of \(names), as in exporter-toolkit)")
                    }
                    guard allowed.isEmpty || allowed.contains(value) else {
                        throw fail(node, "\(name) must be one of \(allowed.joined(separator: ", ")), not \"\(value)\"")
                    }
                    guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
                        throw fail(node, "the value of \(name) holds a control character (a line break?)")
                    }
                    configuration.headers[name] = value
                }
            }
        }

        if let usersNode = top["basic_auth_users"] {
            for (user, hashNode) in try mapping(usersNode, "basic_auth_users", allowed: nil, fail) {
                let hash = try scalar(hashNode, user, fail)
                guard PasswordHash.isSupportedBcrypt(hash) else {
                    throw fail(hashNode, "the password of \"\(user)\" is not a bcrypt hash ($2y$/$2b$/$2a$, e.g. from htpasswd -nBC 10)")
                }
                // crypt(3) takes a hash of cost 3 or 99 and then never verifies it; a cost past 16 (seconds, up to
                // hours at 31) lets each wrong password hold the one password check for that long.
                let cost = BasicAuthenticator.cost(of: hash)
                guard (4...16).contains(cost) else {
                    throw fail(hashNode, "the bcrypt cost of \"\(user)\"'s hash is \(cost): use 4 to 16 (10 to 12 is usual: htpasswd -nBC 10)")
                }
                configuration.basicAuthUsers[user] = hash
            }
        }
        return configuration
    }

    /// The directory of `path`, with its trailing slash (empty for a bare file name): relative paths in the
    /// file are relative to it.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    /// The error for a web config that is not valid YAML, at the position the parser reports.
    static func syntaxError(_ error: YAMLError, path: String) -> WebConfigError {
        WebConfigError(
            file: path, line: error.mark?.line ?? 0, column: error.mark?.column ?? 0,
            message: "YAML syntax error: \(error.message)")
    }

    /// exporter-toolkit's keys that chat-exporter does not read, and what it does instead. Refused rather than
    /// ignored: a file shared with Go exporters that restricts its ciphers or clients must not be served weaker here.
    static let notSupported: [String: String] = [
        "cipher_suites": "TLS 1.2 offers ECDHE with AES-GCM or ChaCha20-Poly1305 only, TLS 1.3 its own suites; remove the key",
        "curve_preferences": "the key exchange groups are GnuTLS's defaults (X25519, X448, P-256, P-384, P-521, and FFDHE groups under TLS 1.3); remove the key",
        "prefer_server_cipher_suites": "the client picks among the suites allowed, all of them forward-secret AEAD ones (Go ignores the key too); remove it",
        "client_allowed_sans": "client certificates are verified against client_ca_file, not by SAN; use a CA for the allowed clients",
        "cert": "give the certificate as a file, cert_file",
        "key": "give the key as a file, key_file",
        "client_ca": "give the client CA as a file, client_ca_file",
        "rate_limit": "connections are limited by --web.max-connections and --web.max-connections-per-ip",
    ]

    private static func mapping(_ node: Node, _ what: String, allowed: [String]?, _ fail: (Node?, String) -> WebConfigError) throws(WebConfigError) -> [String: Node] {
        guard case .mapping(let pairs) = node else { throw fail(node, "\(what) must be a mapping") }
        var result: [String: Node] = [:]
        for (keyNode, value) in pairs {
            guard case .scalar(let key) = keyNode else { throw fail(keyNode, "keys of \(what) must be strings") }
            if let allowed, !allowed.contains(key.string) {
                if let why = notSupported[key.string] {
                    throw fail(keyNode, "\"\(key.string)\" (exporter-toolkit) is not supported by chat-exporter: \(why)")
                }
                throw fail(keyNode, "unknown key \"\(key.string)\" in \(what) (allowed: \(allowed.joined(separator: ", ")))")
            }
            guard result[key.string] == nil else { throw fail(keyNode, "duplicate key \"\(key.string)\" in \(what)") }
            result[key.string] = value
        }
        return result
    }

    private static func scalar(_ node: Node, _ what: String, _ fail: (Node?, String) -> WebConfigError) throws(WebConfigError) -> String {
        guard case .scalar(let value) = node else { throw fail(node, "\(what) must be a string") }
        return value.string
    }
}
