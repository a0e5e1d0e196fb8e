#if canImport(Glibc)
import Glibc
#endif

extension HTTPServerConfiguration {
    /// The host without IPv6 brackets.
    var bareHost: String {
        if host.hasPrefix("["), host.hasSuffix("]") {
            return String(host.dropFirst().dropLast())
        }
        return host
    }

    /// `host:port` as written in messages (`[::1]:9488`, `:9488` for all interfaces).
    func displayAddress(port: Int) -> String {
        let bare = bareHost
        return bare.contains(":") ? "[\(bare)]:\(port)" : "\(bare):\(port)"
    }

    /// The connection timeout in whole seconds, rounded up.
    var connectionTimeoutSeconds: UInt32 {
        let (seconds, attoseconds) = connectionTimeout.components
        let rounded = attoseconds > 0 ? seconds + 1 : seconds
        return UInt32(clamping: max(rounded, 0))
    }

    /// Throws when a value is out of range or the TLS settings are inconsistent.
    func validate() throws(HTTPServerError) {
        func invalid(_ message: String) -> HTTPServerError { .invalidConfiguration(message) }
        guard (0...65535).contains(port) else { throw invalid("port \(port) is not in 0...65535") }
        guard connectionLimit >= 1 else { throw invalid("connection limit must be at least 1") }
        guard perAddressConnectionLimit >= 0 else { throw invalid("per-address connection limit must not be negative") }
        guard threadCount >= 1 else { throw invalid("thread count must be at least 1") }
        guard threadCount <= connectionLimit else {
            throw invalid("thread count (\(threadCount)) must not exceed the connection limit (\(connectionLimit))")
        }
        guard connectionTimeout >= .zero else { throw invalid("connection timeout must not be negative") }
        guard connectionMemoryLimit >= 1024 else {
            throw invalid("connection memory limit must be at least 1024 bytes")
        }
        try tls?.validate()
        if let listenSocket, !Self.isListeningTCPSocket(listenSocket) {
            throw invalid("file descriptor \(listenSocket) is not a listening TCP socket")
        }
    }

    /// Whether `descriptor` is a stream socket of the IPv4 or IPv6 family that listens.
    static func isListeningTCPSocket(_ descriptor: Int32) -> Bool {
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
}
