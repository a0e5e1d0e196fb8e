import Synchronization

/// Per-request state, created when libmicrohttpd has read the request line (the URI log callback)
/// and released when the request completes. Only the connection's thread touches it, except its
/// ``DeferredResponse``, which the worker fills while the connection is suspended.
final class RequestContext {
    /// The raw query string, if the request target had a `?`.
    let query: String?
    /// Whether the access handler has seen the request headers (its first call).
    var headersReceived = false
    /// Set when the handler's response was deferred and the connection suspended.
    var deferred: DeferredResponse?

    init(query: String?) {
        self.query = query
    }
}

/// Where the worker leaves a deferred response for the connection's thread, which sends it when libmicrohttpd
/// calls the access handler again after the connection is resumed.
final class DeferredResponse: Sendable {
    private let response = Mutex<HTTPResponse?>(nil)

    /// Stores the response the worker made.
    func fill(_ made: HTTPResponse) {
        response.withLock { $0 = made }
    }

    /// The response, once the worker made it (then nil again).
    func take() -> HTTPResponse? {
        response.withLock { stored in
            defer { stored = nil }
            return stored
        }
    }
}
