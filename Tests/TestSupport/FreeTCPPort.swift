import Glibc
import Synchronization

/// Ports this process has handed out already: never the same one twice, even to tests running in parallel.
private let handedOutPorts = Mutex<Set<Int>>([])

/// A TCP port on 127.0.0.1 that nothing listens on right now, chosen by the kernel, and never one this
/// process returned before. Another process may still take it before the caller binds it: rare, and a
/// test that starts a server on it fails loudly then.
public func freeTCPPort() -> Int {
    for _ in 0..<100 {
        guard let port = kernelChosenPort() else {
            continue
        }
        let isNew = handedOutPorts.withLock { ports in
            ports.insert(port).inserted
        }
        if isNew {
            return port
        }
    }
    fatalError("freeTCPPort: the kernel gave no unused port in 100 tries")
}

/// Binds 127.0.0.1:0, reads the port the kernel picked and closes the socket.
private func kernelChosenPort() -> Int? {
    guard let descriptor = boundTCPSocket() else {
        return nil
    }
    defer { close(descriptor) }
    return localTCPPort(of: descriptor)
}
