/// A response an `HTTPHandler` returns. The server adds `Content-Length` and `Date`; `Content-Length`
/// and `Transfer-Encoding` fields in `headers` are ignored.
public struct HTTPResponse: Sendable {
    /// The status code (100...999).
    public var status: Int
    /// The header fields, in the order they are sent.
    public var headers: [HTTPHeader]
    /// The body; sent without copying. Not sent for `HEAD` requests (`Content-Length` still is).
    public var body: HTTPBody

    /// Creates a response.
    public init(status: Int = 200, headers: [HTTPHeader] = [], body: HTTPBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
