#if canImport(Glibc)
import Glibc
#endif

/// One place an `HTTPServer` listens.
public enum HTTPListener: Sendable, Hashable {
    /// Binds `host` and `port`. `host` is a name or an address; `""` means all interfaces (IPv6 and IPv4 when IPv6 is
    /// available, IPv4 otherwise). A name that resolves to both families listens on its IPv4 address. IPv6 literals
    /// may be written with or without brackets. Port `0` picks a free port (read it from `HTTPServer.ports` after
    /// `start()`).
    case address(host: String, port: Int)
    /// A listening TCP socket the process was handed (systemd's socket activation). The server serves a copy of it,
    /// so that a stopped server can start again, and leaves the socket itself listening.
    case socket(Int32)
}

extension HTTPListener {
    /// `host` without IPv6 brackets.
    static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// As written in messages: `127.0.0.1:9488`, `[::1]:9488`, `:9488` for all interfaces; for a handed socket, the
    /// address it is bound to and its descriptor, `[::]:9488 (file descriptor 3)`.
    public func displayAddress() -> String {
        switch self {
        case .address(let host, let port):
            let bare = Self.bare(host)
            return bare.contains(":") ? "[\(bare)]:\(port)" : "\(bare):\(port)"
        case .socket(let descriptor):
            guard let (host, port) = Self.localAddress(of: descriptor) else {
                return "the handed socket (file descriptor \(descriptor))"
            }
            return "\(HTTPListener.address(host: host, port: port).displayAddress()) (file descriptor \(descriptor))"
        }
    }

    /// The index of the first listener that repeats an earlier one, or nil. Port 0 twice is two free ports, not a
    /// repeat.
    public static func firstRepeated(in listeners: [HTTPListener]) -> Int? {
        listeners.indices.first { index in
            if case .address(_, 0) = listeners[index] { return false }
            return listeners[..<index].contains(listeners[index])
        }
    }

    /// Whether `descriptor` is a stream socket of the IPv4 or IPv6 family that listens.
    public static func isListeningTCPSocket(_ descriptor: Int32) -> Bool {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) == 0 }
        }
        return named && [AF_INET, AF_INET6].contains(Int32(address.ss_family))
            && option(SO_TYPE) == Int32(SOCK_STREAM.rawValue) && option(SO_ACCEPTCONN) == 1
    }

    /// The numeric host and the port `descriptor` is bound to.
    static func localAddress(of descriptor: Int32) -> (host: String, port: Int)? {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                getsockname(descriptor, pointer, &length) == 0
                    && getnameinfo(pointer, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                                   NI_NUMERICHOST | NI_NUMERICSERV) == 0
            }
        }
        func text(_ characters: [CChar]) -> String {
            String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        guard named, let port = Int(text(service)) else { return nil }
        return (host: text(host), port: port)
    }
}
