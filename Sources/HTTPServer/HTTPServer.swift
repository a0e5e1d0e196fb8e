import Dispatch
import Synchronization

/// An HTTP/1.1 server on libmicrohttpd that hands every request to an `HTTPHandler`.
///
/// Each of the configuration's listeners is served by a libmicrohttpd daemon of its own, all with the same settings
/// and handler. The handler runs on libmicrohttpd's threads (`threadCount` of them per listener, poll(2)),
/// synchronously.
/// Request bodies are read and discarded. With TLS client authentication, requests that the
/// configured `ClientAuth` policy does not admit are refused (the handshake fails, or the server
/// answers 403) without calling the handler. ``replace(tls:headers:handler:grace:)`` changes the TLS material and
/// the handler of a running server without closing its listening socket.
public final class HTTPServer: Sendable {
    /// What the server serves with, and the daemons serving it while it runs (one per listener, in their order).
    private struct State {
        var configuration: HTTPServerConfiguration
        var handler: any HTTPHandler
        var daemons: [RunningDaemon] = []
    }

    private let state: Mutex<State>
    private let responses = ResponseCounter()
    private let deferred = DeferredWork()
    /// Held while daemons start, are replaced or stop: one of these at a time, and none of them under `state`, which
    /// the handler may read (``isRunning``, ``ports``) while a daemon being stopped waits for the handler.
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
        self.state = Mutex(State(configuration: configuration, handler: handler))
    }

    /// The callbacks' context for one daemon (each has its own: its requests in flight, its suspended connections).
    private func context(_ configuration: HTTPServerConfiguration, _ handler: any HTTPHandler) -> ServerContext {
        ServerContext(
            handler: handler, logger: logger, tls: configuration.tls, headers: configuration.headers, responses: responses,
            deferred: deferred)
    }

    deinit {
        stop()
    }

    /// The configuration the server serves with: the one it was created with, with the TLS material and headers of
    /// the last successful ``replace(tls:headers:handler:grace:)``.
    public var configuration: HTTPServerConfiguration {
        state.withLock { $0.configuration }
    }

    /// Starts listening on every listener. Throws `HTTPServerError` when the configuration is invalid, an address
    /// cannot be bound (for example `cannot listen on 127.0.0.1:9488: Address already in use`), the TLS material is
    /// unusable, or the server is already running; then nothing listens. A stopped server may be started again.
    public func start() throws(HTTPServerError) {
        try transitions.withLock { _ throws(HTTPServerError) in
            let (configuration, handler) = try state.withLock { (state: inout State) throws(HTTPServerError) in
                guard state.daemons.isEmpty else { throw .alreadyRunning }
                return (state.configuration, state.handler)
            }
            try configuration.validate()
            PanicHandler.install(logger: logger)
            var started: [RunningDaemon] = []
            do throws(HTTPServerError) {
                for listener in configuration.listeners {
                    started.append(try RunningDaemon.start(
                        configuration: configuration, context: context(configuration, handler), listener: listener))
                }
            } catch {
                for daemon in started.reversed() { daemon.stop() }
                throw error
            }
            state.withLock { $0.daemons = started }
        }
    }

    /// Serves with new TLS material (`nil`: plain HTTP), new headers and a new handler from now on; the listeners,
    /// limits and threads stay as they are.
    ///
    /// On a running server, for each listener, a new daemon starts on a copy of the listening socket while the old
    /// one still accepts; then the old one stops accepting, answers the requests it has in flight (for up to `grace`)
    /// and stops, closing its idle keep-alive connections (a client's next request opens a new one). No connection
    /// attempt is refused meanwhile; a request on one of the old daemon's keep-alive connections is answered the old
    /// way until it stops. When a new daemon does not start (a certificate that does not match its key), this throws
    /// and every listener goes on with the old configuration (the new daemons started so far retire as old ones
    /// do). On a stopped server, the next ``start()`` uses them. Must not be called from the handler; blocks for up
    /// to `grace` (``stop()`` waits for it).
    public func replace(
        tls: TLSConfiguration?, headers: [HTTPHeader], handler: any HTTPHandler, grace: Duration = .seconds(5)
    ) throws(HTTPServerError) {
        var next = configuration
        next.tls = tls
        next.headers = headers
        try next.validate()
        try transitions.withLock { _ throws(HTTPServerError) in
            let running = state.withLock { $0.daemons }
            var started: [RunningDaemon] = []
            do throws(HTTPServerError) {
                for daemon in running {
                    started.append(try daemon.startSibling(configuration: next, context: context(next, handler)))
                }
            } catch {
                // All or none: the new daemons started so far answer what they accepted meanwhile and leave their
                // sockets to the old ones, which go on.
                Self.retire(started, handingOverTo: running, grace: grace)
                throw error
            }
            state.withLock { state in
                state.daemons = started
                state.configuration = next
                state.handler = handler
            }
            Self.retire(running, handingOverTo: started, grace: grace)
        }
    }

    /// Retires each of `daemons` beside the others (a request in flight on one listener does not hold up another's),
    /// the one of the same index in `siblings` taking over its socket.
    private static func retire(_ daemons: [RunningDaemon], handingOverTo siblings: [RunningDaemon], grace: Duration) {
        let pairs = Array(zip(daemons, siblings))
        DispatchQueue.concurrentPerform(iterations: pairs.count) { index in
            pairs[index].0.retire(grace: grace, sibling: pairs[index].1)
        }
    }

    /// The port each listener is bound to while the server runs (the one picked when the configured port is 0; the
    /// handed socket's own), in the configuration's order; empty while it is stopped.
    public var ports: [Int] {
        state.withLock { $0.daemons.map(\.port) }
    }

    /// The port of the first listener while the server runs; the configured one (0 for a socket) otherwise.
    public var port: Int {
        state.withLock { state in
            if let first = state.daemons.first { return first.port }
            if case .address(_, let port) = state.configuration.listeners.first { return port }
            return 0
        }
    }

    /// Where each listener listens while the server runs, as written in messages (`127.0.0.1:9488`, the bound port
    /// for port 0), in the configuration's order; empty while it is stopped.
    public var addresses: [String] {
        state.withLock { $0.daemons.map(\.address) }
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
        state.withLock { !$0.daemons.isEmpty }
    }

    /// Requests whose per-request state has not been released yet (for leak checks in tests).
    var openRequestCount: Int {
        state.withLock { $0.daemons }.reduce(0) { $0 + $1.openRequests }
    }

    /// Stops accepting connections, answers the deferred requests 503 (without waiting for their work), closes the
    /// open connections and waits for the handler calls in flight. Idempotent. Must not be called from the handler
    /// or from deferred work.
    public func stop() {
        transitions.withLock { _ in
            let running = state.withLock { (state: inout State) -> [RunningDaemon] in
                defer { state.daemons = [] }
                return state.daemons
            }
            for daemon in running.reversed() { daemon.stop() }
        }
    }
}
