import Synchronization

/// An HTTP/1.1 server on libmicrohttpd that hands every request to an `HTTPHandler`.
///
/// The handler runs on libmicrohttpd's threads (`threadCount` of them, poll(2)), synchronously.
/// Request bodies are read and discarded. With TLS client authentication, requests that the
/// configured `ClientAuth` policy does not admit are refused (the handshake fails, or the server
/// answers 403) without calling the handler. ``replace(tls:headers:handler:grace:)`` changes the TLS material and
/// the handler of a running server without closing its listening socket.
public final class HTTPServer: Sendable {
    /// What the server serves with, and the daemon serving it while it runs.
    private struct State {
        var configuration: HTTPServerConfiguration
        var context: ServerContext
        var daemon: RunningDaemon?
    }

    private let state: Mutex<State>
    private let responses = ResponseCounter()
    /// Held while a daemon is replaced or stopped, so that ``stop()`` waits for a daemon being retired.
    private let transitions = Mutex<Void>(())
    private let logger: (@Sendable (String) -> Void)?

    /// Creates a stopped server. `logger` receives libmicrohttpd's messages and the server's own
    /// (one line each, without a trailing newline); without it they are dropped.
    public init(
        configuration: HTTPServerConfiguration,
        handler: any HTTPHandler,
        logger: (@Sendable (String) -> Void)? = nil
    ) {
        self.logger = logger
        self.state = Mutex(State(
            configuration: configuration,
            context: ServerContext(
                handler: handler, logger: logger, tls: configuration.tls, headers: configuration.headers, responses: responses)))
    }

    deinit {
        stop()
    }

    /// The configuration the server serves with: the one it was created with, with the TLS material and headers of
    /// the last successful ``replace(tls:headers:handler:grace:)``.
    public var configuration: HTTPServerConfiguration {
        state.withLock { $0.configuration }
    }

    /// Starts listening. Throws `HTTPServerError` when the configuration is invalid, the address
    /// cannot be bound (for example `cannot listen on 127.0.0.1:9488: Address already in use`),
    /// the TLS material is unusable, or the server is already running. A stopped server may be
    /// started again.
    public func start() throws(HTTPServerError) {
        try configuration.validate()
        PanicHandler.install(logger: logger)
        try state.withLock { (state: inout State) throws(HTTPServerError) in
            guard state.daemon == nil else { throw .alreadyRunning }
            if let handed = state.configuration.listenSocket {
                state.daemon = try RunningDaemon.start(
                    configuration: state.configuration, context: state.context, copying: handed, address: "the handed socket (file descriptor \(handed))")
            } else {
                state.daemon = try RunningDaemon.start(configuration: state.configuration, context: state.context)
            }
        }
    }

    /// Serves with new TLS material (`nil`: plain HTTP), new headers and a new handler from now on; the address,
    /// limits and threads stay as they are.
    ///
    /// On a running server, a new daemon starts on a copy of the listening socket while the old one still accepts;
    /// then the old one stops accepting, answers the requests it has in flight (for up to `grace`) and stops,
    /// closing its idle keep-alive connections (a client's next request opens a new one). No connection attempt is
    /// refused meanwhile; a request on one of the old daemon's keep-alive connections is answered the old way until
    /// it stops. When the new daemon does not start (a certificate that does not match its key), this throws and
    /// the server goes on exactly as before. On a stopped server, the next ``start()`` uses them. Must not be called
    /// from the handler; blocks for up to `grace` (``stop()`` waits for it).
    public func replace(
        tls: TLSConfiguration?, headers: [HTTPHeader], handler: any HTTPHandler, grace: Duration = .seconds(5)
    ) throws(HTTPServerError) {
        var next = configuration
        next.tls = tls
        next.headers = headers
        try next.validate()
        let nextContext = ServerContext(handler: handler, logger: logger, tls: tls, headers: headers, responses: responses)
        try transitions.withLock { _ throws(HTTPServerError) in
            let (retired, started) = try state.withLock { (state: inout State) throws(HTTPServerError) in
                let running = state.daemon
                if let running {
                    state.daemon = try running.startSibling(configuration: next, context: nextContext)
                }
                state.configuration = next
                state.context = nextContext
                return (running, state.daemon)
            }
            retired?.retire(grace: grace, sibling: started)
        }
    }

    /// The port the server is bound to while it runs (the one picked when the configured port is
    /// 0); the configured port otherwise.
    public var port: Int {
        state.withLock { $0.daemon?.port ?? $0.configuration.port }
    }

    /// The responses queued since the server was created, by HTTP status code (libmicrohttpd's own error pages
    /// for requests it could not parse are not among them).
    public var responsesByStatus: [Int: Int] {
        responses.byStatus
    }

    /// The connections closed since the server was created because they kept sending without completing a request
    /// within the connection timeout (headers sent a byte at a time). Idle ones, which libmicrohttpd closes at the
    /// timeout itself, are not among them.
    public var connectionsClosedWithoutRequest: Int {
        responses.closedWithoutRequest
    }

    /// The connections libmicrohttpd closed as soon as it accepted them since the server was created: their client's
    /// address already held `perAddressConnectionLimit` of them. (At `connectionLimit` it stops accepting: connections
    /// wait in the kernel's queue, and are not counted.)
    public var connectionsRefusedAtLimit: Int {
        responses.refusedAtLimit
    }

    /// Whether the server is running.
    public var isRunning: Bool {
        state.withLock { $0.daemon != nil }
    }

    /// Requests whose per-request state has not been released yet (for leak checks in tests).
    var openRequestCount: Int {
        state.withLock { $0.context }.openRequests.load(ordering: .relaxed)
    }

    /// Stops accepting connections, answers the deferred requests 503 (without waiting for their work), closes the
    /// open connections and waits for the handler calls in flight. Idempotent. Must not be called from the handler
    /// or from deferred work.
    public func stop() {
        transitions.withLock { _ in
            let running = state.withLock { (state: inout State) -> RunningDaemon? in
                defer { state.daemon = nil }
                return state.daemon
            }
            running?.stop()
        }
    }
}
