import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Gives back the memory chat-exporter touched only to start.
///
/// Start-up reads pages of the executable it never needs again: the dynamic loader's relocations, argument
/// parsing, the YAML parser and the collectors file, the first connections' set-up (with `--static-swift-stdlib`
/// the Swift runtime and Foundation are in the executable too). They stay resident, as clean file-backed pages,
/// until the kernel needs the memory (docs/benchmarks.md, Memory). Once the first complete snapshot is served,
/// ``pageOutFileMappings()`` asks the kernel to reclaim the executable's read-only mappings
/// (`madvise(MADV_PAGEOUT)`, Linux 5.4): pages still in use fault back in, and nothing is written anywhere.
/// Shared libraries are left alone: most of their pages are shared with other processes, which the kernel skips.
public enum MemoryTrim {
    /// MADV_PAGEOUT from <linux/mman.h>. Kernels older than 5.4 answer EINVAL, which is ignored.
    private static let pageOut: Int32 = 21

    /// Advises every read-only mapping of the executable; returns how many the kernel accepted.
    @discardableResult
    public static func pageOutFileMappings() -> Int {
        #if os(Linux)
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let maps = ProcFile.read("/proc/self/maps") else { return 0 }
        var advised = 0
        for line in maps.split(separator: "\n") {
            // address perms offset dev inode path (the path is padded with spaces; it may hold spaces itself)
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5].drop(while: { $0 == " " }) == executable, !fields[1].contains("w")
            else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            if madvise(address, Int(end - start), pageOut) == 0 { advised += 1 }
        }
        return advised
        #else
        return 0
        #endif
    }

    /// ``pageOutFileMappings()`` on a background queue; `done` gets the count.
    public static func pageOutInBackground(done: @escaping @Sendable (Int) -> Void = { _ in }) {
        DispatchQueue.global(qos: .utility).async { done(pageOutFileMappings()) }
    }
}
