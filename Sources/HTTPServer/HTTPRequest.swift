/// A request as the server hands it to an `HTTPHandler`. Any request body has been discarded.
public struct HTTPRequest: Sendable {
    /// The request method, as sent (for example `GET`).
    public var method: String
    /// The request path, percent-decoded, without the query string.
    public var path: String
    /// The raw query string (the part after `?`, not decoded), or `nil` when the target has no `?`.
    public var query: String?
    /// The request headers. Names are lowercased; repeated headers are joined with `", "`.
    public var headers: [String: String]
    /// The client's address as `host:port` (`[host]:port` for IPv6), when known.
    public var remoteAddress: String?
    /// Whether the client certificate verified against the configured client CA: `nil` when the
    /// server does not do TLS client authentication, `false` when no certificate was sent or it
    /// did not verify.
    public var clientCertificateVerified: Bool?

    /// Creates a request (the server does this; handy for testing handlers).
    public init(
        method: String,
        path: String,
        query: String? = nil,
        headers: [String: String] = [:],
        remoteAddress: String? = nil,
        clientCertificateVerified: Bool? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.clientCertificateVerified = clientCertificateVerified
    }

    /// The value of the header `name` (case-insensitive), or `nil`.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}
