import Synchronization

/// An HTTP/1.1 server on libmicrohttpd that hands every request to an `HTTPHandler`.
///
/// The handler runs on libmicrohttpd's threads (`threadCount` of them, epoll), synchronously.
/// Request bodies are read and discarded. With TLS client authentication, requests that the
/// configured `ClientAuth` policy does not admit are refused (the handshake fails, or the server
/// answers 403) without calling the handler.
public final class HTTPServer: Sendable {
    /// The configuration the server was created with.
    public let configuration: HTTPServerConfiguration
    private let context: ServerContext
    private let state = Mutex<RunningDaemon?>(nil)

    /// Creates a stopped server. `logger` receives libmicrohttpd's messages and the server's own
    /// (one line each, without a trailing newline); without it they are dropped.
    public init(
        configuration: HTTPServerConfiguration,
        handler: any HTTPHandler,
        logger: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.context = ServerContext(handler: handler, logger: logger, tls: configuration.tls)
    }

    deinit {
        stop()
    }

    /// Starts listening. Throws `HTTPServerError` when the configuration is invalid, the address
    /// cannot be bound (for example `cannot listen on 127.0.0.1:9488: Address already in use`),
    /// the TLS material is unusable, or the server is already running. A stopped server may be
    /// started again.
    public func start() throws(HTTPServerError) {
        try configuration.validate()
        PanicHandler.install(logger: context.logger)
        try state.withLock { (running: inout RunningDaemon?) throws(HTTPServerError) in
            guard running == nil else { throw .alreadyRunning }
            running = try RunningDaemon.start(configuration: configuration, context: context)
        }
    }

    /// The port the server is bound to while it runs (the one picked when the configured port is
    /// 0); the configured port otherwise.
    public var port: Int {
        state.withLock { $0?.port } ?? configuration.port
    }

    /// Whether the server is running.
    public var isRunning: Bool {
        state.withLock { $0 != nil }
    }

    /// Requests whose per-request state has not been released yet (for leak checks in tests).
    var openRequestCount: Int {
        context.openRequests.load(ordering: .relaxed)
    }

    /// Stops accepting connections, closes the open ones and waits for the handler calls in flight.
    /// Idempotent. Must not be called from the handler.
    public func stop() {
        let running = state.withLock { (running: inout RunningDaemon?) -> RunningDaemon? in
            defer { running = nil }
            return running
        }
        running?.stop()
    }
}
