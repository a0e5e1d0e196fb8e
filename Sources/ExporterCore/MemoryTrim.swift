import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CMalloc)
import CMalloc
#endif
#if canImport(CLink)
import CLink
#endif

/// Gives back the pages of the executable and its shared libraries that chat-exporter touched only to start.
///
/// Start-up reads pages it never needs again: the dynamic loader's relocations, argument parsing, the YAML parser
/// and the collectors file, (with `--static-swift-stdlib`, as shipped) the Swift runtime's and
/// FoundationEssentials' start-up code and data, and the first connections' set-up in the libraries: libpq's
/// SCRAM authentication initialises OpenSSL 3's providers and algorithm tables (1.6 MiB of libcrypto's code,
/// with `sslmode=disable` too), the GSSAPI probe reads Kerberos's. They stay mapped, as clean file-backed pages,
/// until the kernel needs the memory (docs/benchmarks.md, Memory). Once the first complete snapshot is served,
/// ``release()`` walks the executable's mappings and, for every run of resident pages that are still the file's
/// own (not written since; `/proc/self/pagemap`):
///
/// 1. asks the kernel to reclaim them (`madvise(MADV_PAGEOUT)`, Linux 5.4). The kernel does so only for a process
///    that could open the executable for writing (its owner, or root): a service user (systemd's DynamicUser, a
///    non-root container) gets nothing from it;
/// 2. in the mappings that cannot be written (code, read-only data), unmaps what is left (`MADV_DONTNEED`): the
///    pages stay in the page cache, unmapped and reclaimable like any cached file, and fault back in when used.
///    Safe because such a page is exactly the file's content: a page that was written (relocated data) is the
///    process's own copy, which pagemap tells apart and this leaves alone. Only a write from outside (a debugger,
///    a uprobe) landing between the pagemap read and the unmapping could be lost, so a process being traced
///    (`TracerPid` in /proc/self/status) skips this step.
///
/// Then it does step 2 alone for the shared libraries' segments that are never written (``unmapLibrarySegments()``):
/// their pages may be cached for other processes too, so they are never paged out, only unmapped from this one. A
/// sidecar's libraries are usually its own container's files, which nothing else maps.
///
/// Pages in use come back at once (a minor fault: the page is still cached); nothing is written anywhere.
public enum MemoryTrim {
    /// MADV_PAGEOUT from <linux/mman.h>. Kernels older than 5.4 answer EINVAL, which is ignored.
    private static let pageOut: Int32 = 21

    /// What ``release()`` did.
    public struct Outcome: Sendable, Equatable {
        /// Pages that were resident and the file's own, in bytes: what was offered back.
        public var offeredBytes = 0
        /// Of those, bytes in mappings that cannot be written, unmapped after the page-out.
        public var unmappedBytes = 0
        /// The file's mappings looked at (the executable's, for ``release()``).
        public var mappings = 0
        /// Bytes unmapped from the shared libraries' never-written segments, by ``release()``.
        public var librariesUnmappedBytes = 0
    }

    /// Releases the start-up pages of the executable and of the shared libraries (see the type's documentation), in
    /// the calling thread.
    @discardableResult
    public static func release() -> Outcome {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return Outcome()
        }
        var outcome = release(mappingsOf: executable)
        outcome.librariesUnmappedBytes = unmapLibrarySegments()
        return outcome
    }

    /// Unmaps the resident pages that are still the file's own in the segments of the loaded shared libraries that
    /// are never written, and returns how many bytes that was. Never pages out: see the type's documentation.
    ///
    /// The libraries come from the dynamic loader (`dl_iterate_phdr`, through CLink), not from /proc/self/maps: the
    /// walk holds the loader's lock, so no library is unloaded (and its addresses reused by a writable mapping)
    /// meanwhile, and it sees each library's program headers. Only the pages wholly inside a loadable segment
    /// without write permission are touched, outside the range the loader makes read-only after relocating
    /// (`PT_GNU_RELRO`), and never in a library with text relocations: pages the loader writes, even while another
    /// thread loads a library, are never among them. Not the executable (``release(mappingsOf:)`` does it), not the
    /// vDSO.
    ///
    /// ``release()`` calls it once, after start-up; chat-exporter calls it again after the pool opened a connection
    /// (a reconnect brings libcrypto's SCRAM pages back: HeapTrimService).
    @discardableResult
    public static func unmapLibrarySegments() -> Int {
        #if os(Linux)
        guard !isTraced() else { return 0 }
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return 0 }
        defer { close(pagemap) }
        let walk = LibraryWalk(pagemap: pagemap, pageSize: UInt(sysconf(Int32(_SC_PAGESIZE))))
        withExtendedLifetime(walk) {
            chx_each_unwritten_library_segment({ context, start, end in
                guard let context else { return }
                Unmanaged<LibraryWalk>.fromOpaque(context).takeUnretainedValue().unmap(UInt(start)..<UInt(end))
            }, Unmanaged.passUnretained(walk).toOpaque())
        }
        return walk.unmappedBytes
        #else
        return 0
        #endif
    }

    /// Does for every mapping of the file at `path` (absolute, symbolic links resolved) what ``release()`` does
    /// for the executable's.
    @discardableResult
    public static func release(mappingsOf path: String) -> Outcome {
        var outcome = Outcome()
        #if os(Linux)
        guard let maps = ProcFile.contents("/proc/self/maps") else { return outcome }
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return outcome }
        defer { close(pagemap) }
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let unmap = !isTraced()
        for mapping in FileMapping.parse(maps: maps, path: path) {
            outcome.mappings += 1
            for run in fileBackedRuns(in: mapping.start..<mapping.end, pagemap: pagemap, pageSize: pageSize) {
                _ = advise(run, pageOut)
                outcome.offeredBytes += run.count
                if unmap, !mapping.writable, advise(run, MADV_DONTNEED) {
                    outcome.unmappedBytes += run.count
                }
            }
        }
        #endif
        return outcome
    }

    /// Returns the heap's free pages to the kernel (`malloc_trim(0)`), and the resident bytes it gave back.
    ///
    /// glibc keeps memory freed inside its per-thread arenas resident: a burst of concurrent scrapes or a large
    /// query result leaves a megabyte or two of free heap that no later allocation may need (1.6 MiB after the
    /// benchmark's wrk runs). chat-exporter calls this once a minute (HeapTrimService) and after start-up; it takes
    /// well under a millisecond with the heap this small.
    @discardableResult
    public static func trimHeap() -> Int {
        #if os(Linux)
        let before = residentAnonymousBytes()
        malloc_trim(0)
        return max(0, before - residentAnonymousBytes())
        #else
        return 0
        #endif
    }

    /// ``release()`` on a background queue; `done` gets the outcome.
    public static func releaseInBackground(done: @escaping @Sendable (Outcome) -> Void = { _ in }) {
        DispatchQueue.global(qos: .utility).async { done(release()) }
    }

    #if os(Linux)
    /// Whether a debugger or tracer is attached (a non-zero `TracerPid:` in /proc/self/status).
    private static func isTraced() -> Bool {
        guard let status = ProcFile.contents("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("TracerPid:") }) else { return false }
        return line.split(whereSeparator: \.isWhitespace).last.map { $0 != "0" } ?? false
    }

    /// The state of one ``unmapLibrarySegments()`` walk; `unmap` runs under the loader's lock.
    private final class LibraryWalk {
        let pagemap: Int32
        let pageSize: UInt
        /// Bytes unmapped so far.
        private(set) var unmappedBytes = 0

        init(pagemap: Int32, pageSize: UInt) {
            self.pagemap = pagemap
            self.pageSize = pageSize
        }

        /// Unmaps the resident pages of `segment` that are still the file's own.
        func unmap(_ segment: Range<UInt>) {
            for run in MemoryTrim.fileBackedRuns(in: segment, pagemap: pagemap, pageSize: pageSize)
            where MemoryTrim.advise(run, MADV_DONTNEED) {
                unmappedBytes += run.count
            }
        }
    }

    /// `madvise(advice)` on the addresses `run` spans; whether the kernel accepted it.
    private static func advise(_ run: Range<UInt>, _ advice: Int32) -> Bool {
        guard let address = UnsafeMutableRawPointer(bitPattern: run.lowerBound) else { return false }
        return madvise(address, run.count, advice) == 0
    }

    /// Resident anonymous memory: resident minus resident shared (file-backed) pages, from /proc/self/statm.
    private static func residentAnonymousBytes() -> Int {
        guard let fields = ProcFile.contents("/proc/self/statm")?.split(separator: " "), fields.count >= 3,
              let resident = Int(fields[1]), let shared = Int(fields[2]) else { return 0 }
        return (resident - shared) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The address ranges in `range` (page-aligned) whose pages are resident and file-backed (pagemap bits 63 and
    /// 61), merged into runs. A page the process has written is anonymous (its own copy) and splits the runs.
    private static func fileBackedRuns(in range: Range<UInt>, pagemap: Int32, pageSize: UInt) -> [Range<UInt>] {
        let pages = Int((range.upperBound - range.lowerBound) / pageSize)
        var entries = [UInt64](repeating: 0, count: pages)
        let wanted = pages * MemoryLayout<UInt64>.size
        let read = entries.withUnsafeMutableBytes { buffer in
            pread(pagemap, buffer.baseAddress, wanted, off_t(range.lowerBound / pageSize) * off_t(MemoryLayout<UInt64>.size))
        }
        guard read == wanted else { return [] }
        let present: UInt64 = 1 << 63, fileBacked: UInt64 = 1 << 61
        var runs: [Range<UInt>] = []
        var runStart: UInt?
        for index in 0...pages {
            let address = range.lowerBound + UInt(index) * pageSize
            let keep = index < pages && entries[index] & (present | fileBacked) == (present | fileBacked)
            if keep, runStart == nil {
                runStart = address
            } else if !keep, let start = runStart {
                runs.append(start..<address)
                runStart = nil
            }
        }
        return runs
    }
    #endif
}
