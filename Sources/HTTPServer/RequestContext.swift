/// Per-request state, created when libmicrohttpd has read the request line (the URI log callback)
/// and released when the request completes. Only the connection's thread touches it.
final class RequestContext {
    /// The raw query string, if the request target had a `?`.
    let query: String?
    /// Whether the access handler has seen the request headers (its first call).
    var headersReceived = false
    /// Set while the connection is suspended for the handler's deferred response.
    var suspension: Suspension?
    /// Whether the response was deferred (counted in `ServerContext.deferredInFlight` until the request completes).
    var wasDeferred = false

    init(query: String?) {
        self.query = query
    }
}
