import Glibc

/// A connected, non-blocking TCP socket whose every operation has a deadline. Closed on deinit.
final class TCPSocket {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Connects to `host` (a name or an address) and `port`, trying each address the resolver gives.
    static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws -> TCPSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw TestSupportError("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(first) }

        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard descriptor >= 0 else {
                lastError = String(cString: strerror(errno))
                continue
            }
            let connection = TCPSocket(descriptor: descriptor)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL, 0) | O_NONBLOCK)
            if Glibc.connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                return connection
            }
            guard errno == EINPROGRESS else {
                lastError = String(cString: strerror(errno))
                continue
            }
            guard try connection.waitFor(Int16(POLLOUT), deadline: deadline, doing: "connecting to \(host):\(port)") else {
                lastError = "timed out"
                continue
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
            if socketError == 0 {
                return connection
            }
            lastError = String(cString: strerror(socketError))
        }
        throw TestSupportError("cannot connect to \(host):\(port): \(lastError)")
    }

    /// Whether a TCP connection to `host`:`port` succeeds within a second.
    static func canConnect(host: String, port: Int) -> Bool {
        (try? connect(host: host, port: port, deadline: .now + .seconds(1))) != nil
    }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                guard try waitFor(Int16(POLLOUT), deadline: deadline, doing: "sending") else {
                    throw TimeoutError("timed out sending \(bytes.count) bytes (\(offset) sent)")
                }
            } else {
                throw TestSupportError("send failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Appends what arrives next to `buffer`; false at the end of the stream. Throws a ``TimeoutError``
    /// when nothing arrives before `deadline`.
    func receive(into buffer: inout [UInt8], deadline: ContinuousClock.Instant) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                buffer.append(contentsOf: chunk[0..<received])
                return true
            }
            if received == 0 {
                return false
            }
            if errno == ECONNRESET {
                return false
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw TestSupportError("recv failed: \(String(cString: strerror(errno)))")
            }
            guard try waitFor(Int16(POLLIN), deadline: deadline, doing: "receiving") else {
                throw TimeoutError("timed out waiting for data (\(buffer.count) bytes received so far)")
            }
        }
    }

    /// Waits until the socket is ready for `events`; false at the deadline.
    private func waitFor(_ events: Int16, deadline: ContinuousClock.Instant, doing: String) throws -> Bool {
        while true {
            let remaining = deadline - .now
            if remaining <= .zero {
                return false
            }
            var request = pollfd(fd: descriptor, events: events, revents: 0)
            let result = poll(&request, 1, Int32(min(remaining.wholeMilliseconds, Int(Int32.max))))
            if result > 0 {
                return true
            }
            if result < 0 && errno != EINTR {
                throw TestSupportError("poll failed while \(doing): \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// Whether a TCP connection to `host`:`port` succeeds within a second (a server has started listening).
public func tcpPortAnswers(host: String, port: Int) -> Bool {
    TCPSocket.canConnect(host: host, port: port)
}
