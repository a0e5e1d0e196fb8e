/// Reads one HTTP/1.1 response from a socket: status line, header fields, body.
struct HTTPResponseReader {
    private let socket: TCPSocket
    private let deadline: ContinuousClock.Instant
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false

    init(socket: TCPSocket, deadline: ContinuousClock.Instant) {
        self.socket = socket
        self.deadline = deadline
    }

    /// Reads the response to a request made with `requestMethod`, skipping interim (1xx) responses.
    mutating func readResponse(requestMethod: String) throws -> HTTPTestResponse {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw TestSupportError("malformed status line: \(statusLine.debugDescription)")
            }
            let headers = try readHeaderFields()
            if (100..<200).contains(status) {
                continue
            }
            let body: [UInt8]
            if requestMethod.uppercased() == "HEAD" || status == 204 || status == 304 {
                body = []
            } else if let coding = headers["transfer-encoding"], coding.lowercased().contains("chunked") {
                body = try readChunkedBody()
            } else if let lengthText = headers["content-length"] {
                guard let length = Int(lengthText.trimmingSpaces), length >= 0 else {
                    throw TestSupportError("malformed Content-Length: \(lengthText.debugDescription)")
                }
                body = try readExactly(length, what: "body of \(length) bytes")
            } else {
                body = try readToEnd()
            }
            return HTTPTestResponse(status: status, headers: headers, body: body)
        }
    }

    /// Header fields up to the empty line, by lowercased name; repeated fields joined with ", ".
    private mutating func readHeaderFields() throws -> [String: String] {
        var headers: [String: String] = [:]
        while true {
            let line = try readLine()
            if line.isEmpty {
                return headers
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw TestSupportError("malformed header field: \(line.debugDescription)")
            }
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingSpaces
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
    }

    private mutating func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine()
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingSpaces } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                throw TestSupportError("malformed chunk size line: \(sizeLine.debugDescription)")
            }
            if size == 0 {
                _ = try readHeaderFields()  // trailer fields up to the final empty line
                return body
            }
            body += try readExactly(size, what: "chunk of \(size) bytes")
            guard try readLine().isEmpty else {
                throw TestSupportError("chunk of \(size) bytes not followed by CRLF")
            }
        }
    }

    /// One line without its CRLF (a bare LF is accepted too).
    private mutating func readLine() throws -> String {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position && buffer[end - 1] == UInt8(ascii: "\r") {
                    end -= 1
                }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return line
            }
            guard try fill() else {
                throw TestSupportError("connection closed in the middle of the response head (\(buffer.count) bytes received)")
            }
        }
    }

    private mutating func readExactly(_ count: Int, what: String) throws -> [UInt8] {
        while buffer.count - position < count {
            guard try fill() else {
                throw TestSupportError("connection closed after \(buffer.count - position) bytes of a \(what)")
            }
        }
        let bytes = Array(buffer[position..<(position + count)])
        position += count
        return bytes
    }

    private mutating func readToEnd() throws -> [UInt8] {
        while try fill() {}
        let bytes = Array(buffer[position...])
        position = buffer.count
        return bytes
    }

    /// Reads more from the socket; false at the end of the stream.
    private mutating func fill() throws -> Bool {
        if atEnd {
            return false
        }
        if try !socket.receive(into: &buffer, deadline: deadline) {
            atEnd = true
            return false
        }
        return true
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
