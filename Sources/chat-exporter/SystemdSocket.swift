#if canImport(Glibc)
import Glibc
#endif
import HTTPServer

/// The listening sockets systemd hands a service started by its `.socket` unit (socket activation, `sd_listen_fds`):
/// file descriptors from 3 on, announced by `LISTEN_PID` (this process) and `LISTEN_FDS` (how many).
enum SystemdSocket {
    /// The first file descriptor systemd passes (`SD_LISTEN_FDS_START`).
    static let firstDescriptor: Int32 = 3

    /// The sockets systemd passed, taken: the variables are removed from the environment (as `sd_listen_fds(1)` does)
    /// and the descriptors are closed on exec. Throws a message for the operator when there is none.
    static func take(environment: [String: String]) throws(SystemdSocketError) -> [Int32] {
        guard let pid = environment["LISTEN_PID"], let count = environment["LISTEN_FDS"] else {
            throw SystemdSocketError("--web.systemd-socket: systemd passed no socket (LISTEN_PID and LISTEN_FDS are not set): start chat-exporter from its .socket unit, or leave the flag out and use --web.listen-address")
        }
        guard pid_t(pid) == getpid() else {
            throw SystemdSocketError("--web.systemd-socket: the sockets systemd passed are for process \(pid), not this one (\(getpid()))")
        }
        guard let descriptors = Int32(count), descriptors >= 1 else {
            throw SystemdSocketError("--web.systemd-socket: systemd passed no socket (LISTEN_FDS=\(count))")
        }
        guard descriptors <= 1024 else {
            throw SystemdSocketError("--web.systemd-socket: LISTEN_FDS=\(count) is more sockets than a process is passed")
        }
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        let passed = Array(firstDescriptor..<firstDescriptor + descriptors)
        for descriptor in passed { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        // A path or a datagram socket in the .socket unit: say which line to change rather than fail at the start.
        if let other = passed.first(where: { !HTTPListener.isListeningTCPSocket($0) }) {
            throw SystemdSocketError("--web.systemd-socket: socket \(other - firstDescriptor + 1) of the \(descriptors) systemd passed (file descriptor \(other)) is not a listening TCP socket: chat-exporter serves HTTP over TCP only; in its .socket unit, each ListenStream= is a port or an address:port (not a path), and there is no ListenDatagram=")
        }
        return passed
    }
}

/// Why the socket systemd should have passed cannot be served.
struct SystemdSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
