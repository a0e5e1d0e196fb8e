/// Per-request state, created when libmicrohttpd has read the request line (the URI log callback)
/// and released when the request completes. Only the connection's thread touches it.
final class RequestContext {
    /// The raw query string, if the request target had a `?`.
    let query: String?
    /// Whether the access handler has seen the request headers (its first call).
    var headersReceived = false
    /// Whether the request was handed to the handler (on the first call or the second).
    var answered = false
    /// Set when the handler's response was deferred: the connection is suspended until the response is left in it.
    /// Such a request counts in `ServerContext.deferredInFlight` until it completes.
    var suspension: Suspension?

    init(query: String?) {
        self.query = query
    }
}
