import Glibc

/// A TCP socket bound to `host` (an IPv4 address) and `port` (0: the kernel picks one), neither listening nor
/// connected, or nil when it cannot be made. The caller closes it. Close-on-exec.
public func boundTCPSocket(host: String = "127.0.0.1", port: Int = 0) -> Int32? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr(host)
    let bound = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        close(descriptor)
        return nil
    }
    return descriptor
}

/// The port an IPv4 TCP socket is bound to, or nil when it cannot be read.
public func localTCPPort(of descriptor: Int32) -> Int? {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) == 0 }
    }
    return named ? Int(UInt16(bigEndian: address.sin_port)) : nil
}
