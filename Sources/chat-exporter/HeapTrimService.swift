import ExporterCore
import Logging
import PostgresClient
import ServiceLifecycle

/// Once a minute, returns the heap's free pages to the kernel (``MemoryTrim/trimHeap()``), so that the memory a
/// burst of scrapes or a large result freed does not stay resident for the life of the process; and, when the pool
/// opened a connection since the last minute (a reconnect after a database restart, the pool growing), unmaps the
/// shared libraries' pages that the connection's set-up brought back (``MemoryTrim/unmapLibrarySegments()``:
/// libcrypto's SCRAM code, about 1.2 MiB), as start-up's release did for the first connections.
struct HeapTrimService: Service, CustomStringConvertible {
    var description: String { "heap-trim" }

    let interval: Duration
    let pool: ConnectionPool
    let logger: Logger

    func run() async throws {
        let interval = self.interval
        var connectionsSeen = 0
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // shutting down
            }
            let released = MemoryTrim.trimHeap()
            logger.trace("trimmed the heap", metadata: ["released_bytes": "\(released)"])
            let opened = await pool.connectionsOpened
            if opened != connectionsSeen {
                connectionsSeen = opened
                let unmapped = MemoryTrim.unmapLibrarySegments()
                logger.debug("released the libraries' pages of new connections", metadata: [
                    "connections_opened": "\(opened)", "libraries_unmapped_bytes": "\(unmapped)",
                ])
            }
        }
    }
}
