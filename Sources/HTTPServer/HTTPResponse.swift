/// A response an `HTTPHandler` returns. The server adds `Content-Length` and `Date`; `Content-Length`
/// and `Transfer-Encoding` fields in `headers` are ignored.
public struct HTTPResponse: Sendable {
    /// The status code (100...999).
    public var status: Int
    /// The header fields, in the order they are sent.
    public var headers: [HTTPHeader]
    /// The body; sent without copying. Not sent for `HEAD` requests (`Content-Length` still is).
    public var body: HTTPBody
    /// For a response made by ``deferred(_:)``: the work that makes the response sent instead of this one.
    let work: (@Sendable () -> HTTPResponse)?

    /// Creates a response.
    public init(status: Int = 200, headers: [HTTPHeader] = [], body: HTTPBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
        self.work = nil
    }

    /// A response that `work` makes off the HTTP threads, for a request that needs slow work (a bcrypt
    /// verification, tens of milliseconds) which must not hold up the other connections.
    ///
    /// The server suspends the connection, runs `work` on its worker thread (one per server, whatever its
    /// listeners: such work runs one at a time, in arrival order, so that a flood of it takes one core), sends what
    /// `work` returns, and meanwhile goes on answering other connections. With 16 deferred requests already waiting, a further one is answered
    /// 503 with `Retry-After: 1` at once. When the daemon stops (a shutdown, or the end of a reload's grace period),
    /// the deferred requests still waiting are answered 503 at once; work in progress runs to its end and its
    /// response is dropped. `work` must not stop or replace the server.
    public static func deferred(_ work: @escaping @Sendable () -> HTTPResponse) -> HTTPResponse {
        HTTPResponse(work: work)
    }

    private init(work: @escaping @Sendable () -> HTTPResponse) {
        self.status = 503
        self.headers = []
        self.body = .empty
        self.work = work
    }
}
