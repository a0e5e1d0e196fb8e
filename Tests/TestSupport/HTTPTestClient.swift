/// A deliberately plain HTTP/1.1 client on raw sockets: one request per connection
/// (`Connection: close`), nothing rewritten (no automatic decompression, no header normalisation),
/// so tests see exactly what the server sent.
public enum HTTPTestClient {
    /// Sends one request and reads the response.
    ///
    /// The request carries `Host: host:port` and `Connection: close` unless `headers` set those fields,
    /// then `headers` in order, and no body. The response body is framed by `Content-Length`, chunked
    /// transfer coding (decoded here) or the end of the connection; a HEAD response, 1xx, 204 and 304
    /// have none.
    ///
    /// - Throws: ``TimeoutError`` when the whole exchange takes longer than `timeout`; ``TestSupportError``
    ///   when the connection fails or the response is malformed or cut short.
    public static func get(
        port: Int,
        path: String,
        headers: [(String, String)] = [],
        method: String = "GET",
        host: String = "127.0.0.1",
        timeout: Duration = .seconds(10)
    ) throws -> HTTPTestResponse {
        let deadline = ContinuousClock.now + timeout
        let names = Set(headers.map { $0.0.lowercased() })
        var request = "\(method) \(path) HTTP/1.1\r\n"
        if !names.contains("host") {
            request += "Host: \(host.contains(":") ? "[\(host)]" : host):\(port)\r\n"
        }
        if !names.contains("connection") {
            request += "Connection: close\r\n"
        }
        for (name, value) in headers {
            request += "\(name): \(value)\r\n"
        }
        request += "\r\n"

        let socket = try TCPSocket.connect(host: host, port: port, deadline: deadline)
        try socket.send(Array(request.utf8), deadline: deadline)
        var reader = HTTPResponseReader(socket: socket, deadline: deadline)
        return try reader.readResponse(requestMethod: method)
    }

    /// Sends `bytes` as they are and returns everything the server sends back until it closes the
    /// connection: for malformed requests. Throws a ``TimeoutError`` if the server has not closed the
    /// connection within `timeout`.
    public static func sendRaw(port: Int, bytes: [UInt8], host: String = "127.0.0.1", timeout: Duration = .seconds(10)) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        let socket = try TCPSocket.connect(host: host, port: port, deadline: deadline)
        try socket.send(bytes, deadline: deadline)
        var received: [UInt8] = []
        while try socket.receive(into: &received, deadline: deadline) {}
        return received
    }
}
