extension HTTPServerConfiguration {
    /// The host without IPv6 brackets.
    var bareHost: String {
        if host.hasPrefix("["), host.hasSuffix("]") {
            return String(host.dropFirst().dropLast())
        }
        return host
    }

    /// `host:port` as written in messages (`[::1]:9488`, `:9488` for all interfaces).
    func displayAddress(port: Int) -> String {
        let bare = bareHost
        return bare.contains(":") ? "[\(bare)]:\(port)" : "\(bare):\(port)"
    }

    /// The connection timeout in whole seconds, rounded up.
    var connectionTimeoutSeconds: UInt32 {
        let (seconds, attoseconds) = connectionTimeout.components
        let rounded = attoseconds > 0 ? seconds + 1 : seconds
        return UInt32(clamping: max(rounded, 0))
    }

    /// Throws when a value is out of range or the TLS settings are inconsistent.
    func validate() throws(HTTPServerError) {
        func invalid(_ message: String) -> HTTPServerError { .invalidConfiguration(message) }
        guard (0...65535).contains(port) else { throw invalid("port \(port) is not in 0...65535") }
        guard connectionLimit >= 1 else { throw invalid("connection limit must be at least 1") }
        guard perAddressConnectionLimit >= 0 else { throw invalid("per-address connection limit must not be negative") }
        guard threadCount >= 1 else { throw invalid("thread count must be at least 1") }
        guard threadCount <= connectionLimit else {
            throw invalid("thread count (\(threadCount)) must not exceed the connection limit (\(connectionLimit))")
        }
        guard connectionTimeout >= .zero else { throw invalid("connection timeout must not be negative") }
        guard connectionMemoryLimit >= 1024 else {
            throw invalid("connection memory limit must be at least 1024 bytes")
        }
        try tls?.validate()
    }
}
