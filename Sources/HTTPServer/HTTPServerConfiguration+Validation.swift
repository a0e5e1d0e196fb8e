extension HTTPServerConfiguration {
    /// The connection timeout in whole seconds, rounded up.
    var connectionTimeoutSeconds: UInt32 {
        let (seconds, attoseconds) = connectionTimeout.components
        let rounded = attoseconds > 0 ? seconds + 1 : seconds
        return UInt32(clamping: max(rounded, 0))
    }

    /// Throws when a value is out of range or the TLS settings are inconsistent.
    func validate() throws(HTTPServerError) {
        func invalid(_ message: String) -> HTTPServerError { .invalidConfiguration(message) }
        guard !listeners.isEmpty else { throw invalid("no address or socket to listen on") }
        guard HTTPListener.firstRepeated(in: listeners) == nil else { throw invalid("an address or socket is listed twice") }
        for listener in listeners {
            switch listener {
            case .address(_, let port):
                guard (0...65535).contains(port) else { throw invalid("port \(port) is not in 0...65535") }
            case .socket(let descriptor):
                guard HTTPListener.isListeningTCPSocket(descriptor) else {
                    throw invalid("file descriptor \(descriptor) is not a listening TCP socket")
                }
            }
        }
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
