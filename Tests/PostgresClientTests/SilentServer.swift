import Glibc

/// A TCP listener that never accepts: the kernel completes the handshake and queues the connection, and nothing ever
/// answers, like a frozen database server. Closed on deinit.
final class SilentServer {
    let port: Int
    private let listener: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard listener >= 0, ready else {
            close(listener)
            throw SilentServerError()
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(listener)
    }

    /// libpq's keywords for it (no TLS: nothing would answer the request).
    var keywords: [(String, String)] {
        [("host", "127.0.0.1"), ("port", "\(port)"), ("dbname", "x"), ("user", "x"), ("sslmode", "disable")]
    }

    /// Whether a connection waits in the queue, handshake done.
    var hasPendingConnection: Bool {
        var pending = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        return poll(&pending, 1, 0) > 0
    }
}

struct SilentServerError: Error, CustomStringConvertible {
    var description: String { "socket/bind/listen failed" }
}
