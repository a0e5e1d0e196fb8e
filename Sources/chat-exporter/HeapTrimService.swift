import ExporterCore
import Logging
import ServiceLifecycle

/// Returns the heap's free pages to the kernel once a minute (``MemoryTrim/trimHeap()``), so that the memory a
/// burst of scrapes or a large result freed does not stay resident for the life of the process.
struct HeapTrimService: Service, CustomStringConvertible {
    var description: String { "heap-trim" }

    let interval: Duration
    let logger: Logger

    func run() async throws {
        let interval = self.interval
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // shutting down
            }
            let released = MemoryTrim.trimHeap()
            logger.trace("trimmed the heap", metadata: ["released_bytes": "\(released)"])
        }
    }
}
