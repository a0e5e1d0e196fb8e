internal import CMicroHTTPD
internal import Glibc

extension ServerContext {
    /// The request headers: names lowercased, repeated fields joined with `", "`.
    static func headers(of connection: OpaquePointer) -> [String: String] {
        var headers: [String: String] = [:]
        withUnsafeMutablePointer(to: &headers) { pointer in
            _ = MHD_get_connection_values(connection, .HEADER_KIND, mhdCollectHeader, pointer)
        }
        return headers
    }

    /// The client's numeric address as `host:port` or `[host]:port`; IPv4-mapped IPv6 addresses
    /// (from a dual-stack socket) are shown as IPv4.
    static func remoteAddress(of connection: OpaquePointer) -> String? {
        guard let address = chx_mhd_client_address(connection) else { return nil }
        let length: Int
        switch Int32(address.pointee.sa_family) {
        case AF_INET: length = MemoryLayout<sockaddr_in>.size
        case AF_INET6: length = MemoryLayout<sockaddr_in6>.size
        default: return nil
        }
        let hostCapacity = 128
        let serviceCapacity = 16
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: hostCapacity + serviceCapacity) { buffer in
            let host = buffer.baseAddress!
            let service = host + hostCapacity
            let rc = getnameinfo(
                address, socklen_t(length),
                host, socklen_t(hostCapacity),
                service, socklen_t(serviceCapacity),
                NI_NUMERICHOST | NI_NUMERICSERV
            )
            guard rc == 0 else { return nil }
            var hostString = String(cString: host)
            let port = String(cString: service)
            if hostString.hasPrefix("::ffff:"), hostString.contains(".") {
                hostString.removeFirst("::ffff:".count)
            }
            return hostString.contains(":") ? "[\(hostString)]:\(port)" : "\(hostString):\(port)"
        }
    }

    /// The TLS client certificate status of the connection.
    static func clientCertificateStatus(of connection: OpaquePointer) -> ClientCertificateStatus {
        switch chx_mhd_client_certificate(connection) {
        case CHX_CLIENT_CERT_VERIFIED.rawValue: .verified
        case CHX_CLIENT_CERT_UNVERIFIED.rawValue: .unverified
        case CHX_CLIENT_CERT_ABSENT.rawValue: .absent
        default: .notTLS
        }
    }
}
