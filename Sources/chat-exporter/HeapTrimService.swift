import Dispatch
import ExporterCore
import Logging
import PostgresClient
import ServiceLifecycle

/// Once a minute, returns the heap's free pages to the kernel (``MemoryTrim/trimHeap()``), so that the memory a
/// burst of scrapes or a large result freed does not stay resident for the life of the process. And it gives back,
/// as start-up's release did, the pages that one-off work since the last minute brought back: after a reload
/// (``PageReleaseRequest``: reading and validating the files, a new HTTP daemon; about 4 MiB of the executable),
/// ``MemoryTrim/release()``; after the pool opened a connection (a reconnect after a database restart, the pool
/// growing), the libraries' pages its set-up faulted in (``MemoryTrim/unmapLibrarySegments()``: libcrypto's SCRAM
/// code, about 1.2 MiB).
struct HeapTrimService: Service, CustomStringConvertible {
    var description: String { "heap-trim" }

    let interval: Duration
    let pool: ConnectionPool
    let releaseRequest: PageReleaseRequest
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
            let opened = await pool.connectionsOpened
            let connected = opened != connectionsSeen
            connectionsSeen = opened
            // The trim and the releases read /proc and walk page maps: a few milliseconds, off the cooperative pool.
            await DispatchQueue.blocking { release(connected: connected, connectionsOpened: opened) }
        }
    }

    /// One minute's trim, and the release of the pages that a reload or a new connection brought back.
    private func release(connected: Bool, connectionsOpened: Int) {
        let released = MemoryTrim.trimHeap()
        logger.trace("trimmed the heap", metadata: ["released_bytes": .stringConvertible(released)])
        if releaseRequest.take() {
            let outcome = MemoryTrim.release()
            logger.debug("released the pages of a reload", metadata: [
                "unmapped_bytes": .stringConvertible(outcome.unmappedBytes), "libraries_unmapped_bytes": .stringConvertible(outcome.librariesUnmappedBytes),
            ])
        } else if connected {
            let unmapped = MemoryTrim.unmapLibrarySegments()
            logger.debug("released the libraries' pages of new connections", metadata: [
                "connections_opened": .stringConvertible(connectionsOpened), "libraries_unmapped_bytes": .stringConvertible(unmapped),
            ])
        }
    }
}
