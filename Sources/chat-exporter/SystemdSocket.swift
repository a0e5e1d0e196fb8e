#if canImport(Glibc)
import Glibc
#endif

/// The listening socket systemd hands a service started by its `.socket` unit (socket activation, `sd_listen_fds`):
/// file descriptor 3, announced by `LISTEN_PID` (this process) and `LISTEN_FDS` (how many).
enum SystemdSocket {
    /// The first file descriptor systemd passes (`SD_LISTEN_FDS_START`).
    static let firstDescriptor: Int32 = 3

    /// The one socket systemd passed, taken: the variables are removed from the environment (as `sd_listen_fds(1)`
    /// does) and the descriptor is closed on exec. Throws a message for the operator when there is none, or more
    /// than one (chat-exporter serves one address).
    static func take(environment: [String: String]) throws(SystemdSocketError) -> Int32 {
        guard let pid = environment["LISTEN_PID"], let count = environment["LISTEN_FDS"] else {
            throw SystemdSocketError("--web.systemd-socket: systemd passed no socket (LISTEN_PID and LISTEN_FDS are not set): start chat-exporter from its .socket unit, or leave the flag out and use --web.listen-address")
        }
        guard pid_t(pid) == getpid() else {
            throw SystemdSocketError("--web.systemd-socket: the sockets systemd passed are for process \(pid), not this one (\(getpid()))")
        }
        guard let descriptors = Int32(count), descriptors >= 1 else {
            throw SystemdSocketError("--web.systemd-socket: systemd passed no socket (LISTEN_FDS=\(count))")
        }
        guard descriptors == 1 else {
            throw SystemdSocketError("--web.systemd-socket: systemd passed \(descriptors) sockets; chat-exporter serves one: give its .socket unit one ListenStream= (\"9488\" is every address, IPv4 and IPv6)")
        }
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        _ = fcntl(firstDescriptor, F_SETFD, FD_CLOEXEC)
        return firstDescriptor
    }
}

/// Why the socket systemd should have passed cannot be served.
struct SystemdSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
