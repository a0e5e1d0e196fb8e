/// Answers requests. Called on libmicrohttpd's threads, concurrently, and synchronously: it must
/// not block on I/O or wait for Swift concurrency work, and must not call `HTTPServer.stop()`. Work too slow for
/// those threads goes in an `HTTPResponse.deferred` response.
public protocol HTTPHandler: Sendable {
    /// Returns the response to `request`.
    func respond(to request: HTTPRequest) -> HTTPResponse
}

/// An `HTTPHandler` made from a closure.
public struct HTTPClosureHandler: HTTPHandler {
    private let body: @Sendable (HTTPRequest) -> HTTPResponse

    /// Creates a handler that calls `body` for every request.
    public init(_ body: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.body = body
    }

    /// Calls the closure.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        body(request)
    }
}
