/// How an `HTTPServer` listens and what it allows.
public struct HTTPServerConfiguration: Sendable {
    /// Where the server listens: one libmicrohttpd daemon each, with the same limits, TLS, headers and handler (the
    /// limits count per listener). At least one.
    public var listeners: [HTTPListener]
    /// The most connections open at once; at the limit libmicrohttpd stops accepting, and further connections wait
    /// in the kernel's listen queue.
    public var connectionLimit: Int
    /// The most connections open at once from one client address; `0`: no limit but `connectionLimit`. Beyond it a
    /// new connection from that address is closed right after accept, so that one client (slow requests held open
    /// on purpose, a runaway load test) cannot take every one of `connectionLimit`'s slots.
    public var perAddressConnectionLimit: Int
    /// How long a connection may be idle before the server closes it; `.zero` means never.
    /// Rounded up to whole seconds.
    public var connectionTimeout: Duration
    /// The number of threads that poll connections (poll(2)) and call the handler.
    public var threadCount: Int
    /// Memory per connection for reading the request; bounds the request line plus headers.
    /// Larger requests are answered with an error by libmicrohttpd.
    public var connectionMemoryLimit: Int
    /// TLS settings; `nil` serves plain HTTP.
    public var tls: TLSConfiguration?
    /// Header fields added to every response the server sends: the handler's, and the ones the server makes itself
    /// (403 for a client certificate, 500 for a response it cannot send, 503 for deferred work refused or cut short),
    /// unless the response has a field of the same name. libmicrohttpd's own answers to malformed requests go
    /// without them.
    public var headers: [HTTPHeader]

    /// Creates a configuration that listens on `host` and `port` (see ``HTTPListener/address(host:port:)``).
    public init(
        host: String = "",
        port: Int = 0,
        connectionLimit: Int = 512,
        perAddressConnectionLimit: Int = 0,
        connectionTimeout: Duration = .seconds(10),
        threadCount: Int = 2,
        connectionMemoryLimit: Int = 32 * 1024,
        tls: TLSConfiguration? = nil,
        headers: [HTTPHeader] = []
    ) {
        self.listeners = [.address(host: host, port: port)]
        self.connectionLimit = connectionLimit
        self.perAddressConnectionLimit = perAddressConnectionLimit
        self.connectionTimeout = connectionTimeout
        self.threadCount = threadCount
        self.connectionMemoryLimit = connectionMemoryLimit
        self.tls = tls
        self.headers = headers
    }
}
