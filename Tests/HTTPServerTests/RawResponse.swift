/// An HTTP/1.1 response as read off the wire.
struct RawResponse {
    /// The status code from the status line.
    let status: Int
    /// The header fields in order, names as sent.
    let headers: [(name: String, value: String)]
    /// The bytes after the header block.
    let body: [UInt8]

    /// Parses `bytes` (a whole response, connection closed after it).
    init(parsing bytes: [UInt8]) throws {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else {
            throw TestClientError("no end of headers in \(bytes.count) bytes: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TestClientError("bad status line: \(statusLine)")
        }
        self.status = status
        headers = try lines.map { line in
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError("bad header line: \(line)") }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            return (String(line[..<colon]), String(value))
        }
        body = Array(bytes[end.upperBound...])
    }

    /// The value of the first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension RawConnection {
    /// Sends `request` on a new connection and reads the whole response.
    static func exchange(
        host: String = "127.0.0.1", source: String? = nil, port: Int, _ request: String, timeout: Duration = .seconds(10)
    ) throws -> RawResponse {
        let connection = try RawConnection(host: host, source: source, port: port)
        try connection.send(request)
        return try RawResponse(parsing: connection.readToEnd(timeout: timeout))
    }

    /// A `GET` (or other bodiless method) of `target` with `Connection: close`.
    static func get(
        host: String = "127.0.0.1", source: String? = nil, port: Int, _ target: String = "/", method: String = "GET",
        headers: [String] = []
    ) throws -> RawResponse {
        let extra = headers.map { $0 + "\r\n" }.joined()
        return try exchange(
            host: host, source: source, port: port,
            "\(method) \(target) HTTP/1.1\r\nHost: test\r\n\(extra)Connection: close\r\n\r\n"
        )
    }
}
