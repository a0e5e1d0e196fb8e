/// Why an `HTTPServer` could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration is unusable; the message says why.
    case invalidConfiguration(String)
    /// The server could not listen on `address` (`host:port`); `reason` is the system's or
    /// libmicrohttpd's explanation, such as `Address already in use`.
    case cannotListen(address: String, reason: String)
    /// libmicrohttpd would not start a daemon on `address` for another reason (for example an
    /// unusable TLS certificate or key); `reason` is what it reported.
    case cannotStart(address: String, reason: String)
    /// `start()` was called on a running server.
    case alreadyRunning

    /// A one-line explanation, for example `cannot listen on 127.0.0.1:9488: Address already in use`.
    public var description: String {
        switch self {
        case .invalidConfiguration(let message): "invalid HTTP server configuration: \(message)"
        case .cannotListen(let address, let reason): "cannot listen on \(address): \(reason)"
        case .cannotStart(let address, let reason): "cannot start the HTTP server on \(address): \(reason)"
        case .alreadyRunning: "the HTTP server is already running"
        }
    }
}
