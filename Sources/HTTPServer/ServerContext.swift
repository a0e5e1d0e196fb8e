internal import CMicroHTTPD
import Dispatch
import Synchronization

/// What libmicrohttpd's callbacks need: the handler, the logger and the client-certificate policy.
/// Passed to C as an unretained pointer; the running daemon keeps it alive.
final class ServerContext: Sendable {
    let handler: any HTTPHandler
    let logger: (@Sendable (String) -> Void)?
    /// The client-certificate policy; `nil` for plain HTTP or `.none`.
    let clientAuth: TLSConfiguration.ClientAuth?
    /// Added to every response (``HTTPServerConfiguration/headers``).
    let headers: [HTTPHeader]
    /// Counts every response queued (the server's, shared by the contexts of its daemons).
    let responses: ResponseCounter
    /// Requests whose `RequestContext` has not been released yet (zero once the daemon stopped).
    let openRequests = Atomic<Int>(0)
    /// Set when the daemon is being retired (a sibling took over): every response from then on closes its
    /// connection, so that keep-alive clients move to the sibling instead of having the connection cut.
    let retiring = Atomic<Bool>(false)
    /// The server's deferred-work queue (shared by the contexts of its daemons).
    let deferred: DeferredWork
    /// Connections suspended for deferred work and not resumed yet: libmicrohttpd must not be stopped with one.
    let suspensions = Mutex<[ObjectIdentifier: Suspension]>([:])
    /// Deferred requests not completed yet (resumed or not).
    let deferredInFlight = Atomic<Int>(0)
    /// Set while the daemon stops: deferred requests are answered 503.
    let stopping = Atomic<Bool>(false)
    /// libmicrohttpd messages logged while a `start()` is in progress, for the error message.
    private let startupMessages = Mutex<[String]?>(nil)
    /// libmicrohttpd's messages, each logged at most once a minute.
    private let libraryThrottle = LogThrottle()

    init(
        handler: any HTTPHandler, logger: (@Sendable (String) -> Void)?, tls: TLSConfiguration?, headers: [HTTPHeader],
        responses: ResponseCounter = ResponseCounter(), deferred: DeferredWork = DeferredWork()
    ) {
        self.handler = handler
        self.logger = logger
        self.headers = headers
        self.responses = responses
        self.deferred = deferred
        if let clientAuth = tls?.clientAuth, clientAuth != .none {
            self.clientAuth = clientAuth
        } else {
            self.clientAuth = nil
        }
    }

    /// Sends `message` to the logger.
    func log(_ message: String) {
        logger?(message)
    }

    /// A message from libmicrohttpd.
    func libraryLogged(_ message: String) {
        // The one sign of a connection closed at a limit: libmicrohttpd logs it (the same words since 0.9.x) and calls
        // nothing else. Counted before the throttle, which keeps the log to a line now and then. The words are shared
        // with the server-wide limit, which libmicrohttpd does not reach this way (it stops accepting at it).
        if message.hasPrefix("Server reached connection limit") { responses.recordRefusedAtLimit() }
        startupMessages.withLock { messages in
            messages?.append(message)
        }
        if let line = libraryThrottle.admit(message) {
            log("libmicrohttpd: \(line)")
        }
    }

    /// Starts recording libmicrohttpd messages.
    func beginStartup() {
        startupMessages.withLock { $0 = [] }
    }

    /// Stops recording and returns what was logged since `beginStartup()`.
    func endStartup() -> [String] {
        startupMessages.withLock { messages in
            defer { messages = nil }
            return messages ?? []
        }
    }
}
