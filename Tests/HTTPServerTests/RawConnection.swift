import Glibc

/// A plain TCP connection written with the socket API, so that tests see exactly the bytes the
/// server sends.
final class RawConnection {
    private var descriptor: Int32

    /// Connects to `host` (a numeric IPv4 or IPv6 address) and `port`, from the local address `source` when given
    /// (another loopback address such as 127.0.0.2 stands for another client).
    init(host: String = "127.0.0.1", source: String? = nil, port: Int) throws {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(host, String(port), &hints, &results)
        guard rc == 0, let result = results else {
            throw TestClientError("getaddrinfo \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(results) }
        let fd = socket(result.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError("socket: \(String(cString: strerror(errno)))") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else {
                _ = Glibc.close(fd)
                throw TestClientError("source address \(source) is not IPv4")
            }
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let error = errno
                _ = Glibc.close(fd)
                throw TestClientError("bind \(source): \(String(cString: strerror(error)))")
            }
        }
        guard connect(fd, result.pointee.ai_addr, result.pointee.ai_addrlen) == 0 else {
            let error = errno
            _ = Glibc.close(fd)
            throw TestClientError.connect(errno: error)
        }
        descriptor = fd
    }

    deinit {
        close()
    }

    /// Closes the socket (idempotent).
    func close() {
        if descriptor >= 0 {
            _ = Glibc.close(descriptor)
            descriptor = -1
        }
    }

    /// Sends all of `bytes`; fails when the server has closed the connection.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw TestClientError("send: \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
    }

    /// Sends the UTF-8 bytes of `string`.
    func send(_ string: String) throws {
        try send(Array(string.utf8))
    }

    /// Reads until the server closes the connection (EOF or reset) and returns what arrived.
    /// Throws when the connection is still open at the deadline.
    func readToEnd(timeout: Duration = .seconds(10)) throws -> [UInt8] {
        try receive(timeout: timeout) { _ in false }
    }

    /// Reads one response whose body has a Content-Length (the connection stays open): its head and body as text.
    func readResponse(timeout: Duration = .seconds(10)) throws -> String {
        let received = try receive(timeout: timeout, closedEarly: true) { received in
            let text = String(decoding: received, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<end.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            return text[end.upperBound...].utf8.count >= length
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Receives until `complete` says the bytes so far are enough, or the server closes the connection (an error
    /// when `closedEarly`); throws ``ConnectionStillOpen`` at the deadline.
    private func receive(timeout: Duration, closedEarly: Bool = false, complete: ([UInt8]) -> Bool) throws -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !complete(received) {
            guard try waitReadable(until: deadline) else {
                throw ConnectionStillOpen(timeout: timeout, received: received.count)
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: chunk[0..<count])
            } else if count == 0 || errno == ECONNRESET {
                if closedEarly { throw TestClientError("the server closed the connection after \(received.count) bytes") }
                return received
            } else if errno != EINTR && errno != EAGAIN {
                throw TestClientError("recv: \(String(cString: strerror(errno)))")
            }
        }
        return received
    }

    /// Waits until the server closes the connection without sending anything; returns whether it
    /// did before the deadline.
    func waitForServerClose(timeout: Duration) throws -> Bool {
        do {
            _ = try readToEnd(timeout: timeout)
            return true
        } catch is ConnectionStillOpen {
            return false
        }
    }

    /// Waits for data or EOF; false at the deadline.
    private func waitReadable(until deadline: ContinuousClock.Instant) throws -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return false }
            let milliseconds = Int32(min(max(remaining / .milliseconds(1), 1), 1000).rounded(.up))
            var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptorSet, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR {
                throw TestClientError("poll: \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// The server kept a connection open past a deadline.
struct ConnectionStillOpen: Error, CustomStringConvertible {
    let timeout: Duration
    let received: Int
    var description: String { "connection still open after \(timeout); got \(received) bytes" }
}

extension TestClientError {
    /// A failed `connect`, keeping errno for tests that expect a refusal.
    static func connect(errno: Int32) -> TestClientError {
        TestClientError("connect: \(String(cString: strerror(errno)))")
    }
}
