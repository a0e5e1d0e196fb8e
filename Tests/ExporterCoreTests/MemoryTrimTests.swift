import ExporterCore
import Foundation
import Glibc
import Testing

/// MemoryTrim gives back the executable's start-up pages, and never a page the process wrote.
/// Serialized: release() trims the heap too, and would take the pages trimHeapReturnsFreedHeapPages counts.
@Suite(.serialized) struct MemoryTrimTests {
    /// The test binary's own pages: offered back, the read-only ones unmapped, and the process's file-backed
    /// resident memory goes down.
    @Test func releasesTheExecutablesResidentPages() throws {
        let before = try residentFileKilobytes()
        let outcome = MemoryTrim.release()
        let after = try residentFileKilobytes()
        #expect(outcome.mappings >= 2, "the executable's code and data")
        #expect(outcome.unmappedBytes > 0 && outcome.unmappedBytes <= outcome.offeredBytes, "\(outcome)")
        #expect(after < before, "RssFile \(before) kB before, \(after) kB after")
    }

    /// A private file mapping made read-only after the process wrote one of its pages, as the dynamic loader does
    /// with relocated data: the written page keeps what was written (unmapping it would bring back the file's
    /// bytes), the others leave the process and read back as the file's content.
    @Test func aPageTheProcessWroteKeepsItsContent() throws {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapped = try TemporaryMapping(pages: 3, pageSize: pageSize)
        defer { withExtendedLifetime(mapped) {} }  // mapped until the last read of `bytes`
        let base = mapped.base
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        // Pages 0 and 2 are read (the file's own pages), page 1 is written (the process's copy); then read-only.
        #expect(bytes[0] == 1 && bytes[2 * pageSize] == 3)
        bytes[pageSize] = 0xAA
        #expect(mprotect(base, 3 * pageSize, PROT_READ) == 0)
        let resolved = try #require(realpath(mapped.path, nil))
        defer { free(resolved) }

        let outcome = MemoryTrim.release(mappingsOf: String(cString: resolved))

        #expect(outcome.mappings == 1)
        #expect(outcome.unmappedBytes == 2 * pageSize, "pages 0 and 2 only: \(outcome)")
        #expect(residentPages(base, count: 3, pageSize: pageSize) == [false, true, false])
        #expect(bytes[pageSize] == 0xAA, "the written page keeps what was written")
        #expect(bytes[pageSize + 1] == 2)
        #expect(bytes[0] == 1 && bytes[2 * pageSize] == 3, "the others read back as the file's content")
    }

    /// The shared libraries' code and read-only data leave the process (libc's code here); their relocated data
    /// stays (libc calls malloc through its relocated table afterwards), and a file mapped by the program rather than
    /// loaded as a library is left alone.
    @Test func librariesUnwrittenSegmentsLeaveTheProcess() throws {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapped = try TemporaryMapping(pages: 2, pageSize: pageSize)
        #expect(mprotect(mapped.base, 2 * pageSize, PROT_READ) == 0)
        let bytes = mapped.base.assumingMemoryBound(to: UInt8.self)
        #expect(bytes[0] == 1 && bytes[pageSize] == 2)
        let libc = try #require(textMapping(ofLibraryNamed: "libc.so.6"))
        let libcBefore = residentPages(libc.base, count: libc.pages, pageSize: pageSize).filter { $0 }.count

        let outcome = MemoryTrim.release()

        let libcAfter = residentPages(libc.base, count: libc.pages, pageSize: pageSize).filter { $0 }.count
        #expect(outcome.librariesUnmappedBytes > 0, "\(outcome)")
        #expect(libcAfter < libcBefore, "libc's code: \(libcBefore) resident pages before, \(libcAfter) after")
        #expect(residentPages(mapped.base, count: 2, pageSize: pageSize) == [true, true], "not a library: left alone")
        let copy = try #require(strdup("still relocated"))
        defer { free(copy) }
        #expect(String(cString: copy) == "still relocated")
    }

    /// Heap the process freed, held below a block still in use (so that glibc cannot shrink the heap from its top),
    /// goes back to the kernel.
    @Test func trimHeapReturnsFreedHeapPages() throws {
        let blocks = (0..<4_000).map { _ -> UnsafeMutableRawPointer? in
            let block = malloc(4_096)
            if let block { memset(block, 0x5A, 4_096) }
            return block
        }
        let kept = malloc(4_096)  // allocated last: above the others
        defer { free(kept) }
        blocks.forEach { free($0) }

        let released = MemoryTrim.trimHeap()

        // Whether the pages went back, read in pagemap: other suites' threads allocate meanwhile, so the anonymous
        // memory this call counted is only expected to have fallen, and they may take some of the freed pages
        // again before they are read (a quarter of them once in CI). Without the trim, every page stays resident.
        #expect(released > 0)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let addresses = blocks.compactMap { $0.map { UInt(bitPattern: $0) } }
        let first = (addresses.min() ?? 0) / UInt(pageSize) * UInt(pageSize) + UInt(pageSize)
        let count = Int(((addresses.max() ?? 0) - first) / UInt(pageSize))
        let pages = try #require(UnsafeMutableRawPointer(bitPattern: first).map { residentPages($0, count: count, pageSize: pageSize) })
        #expect(count > 3_000 && pages.count == count, "the 4 000 blocks span \(count) pages")
        let stillResident = pages.filter { $0 }.count
        #expect(stillResident * 2 < count, "\(stillResident) of the \(count) freed pages still resident; this trim counted \(released) bytes")
    }

    /// Which of `count` pages from `base` are mapped in this process: bit 63 of their /proc/self/pagemap entries
    /// (mincore would not do: it answers whether the file's pages are cached, mapped here or not).
    private func residentPages(_ base: UnsafeMutableRawPointer, count: Int, pageSize: Int) -> [Bool] {
        let descriptor = open("/proc/self/pagemap", O_RDONLY)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var entries = [UInt64](repeating: 0, count: count)
        let offset = off_t(UInt(bitPattern: base) / UInt(pageSize)) * 8
        let read = entries.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count * 8, offset) }
        guard read == count * 8 else { return [] }
        return entries.map { $0 >> 63 == 1 }
    }

    /// The executable mapping of a shared library this process loaded: its first address and length in pages.
    private func textMapping(ofLibraryNamed name: String) -> (base: UnsafeMutableRawPointer, pages: Int)? {
        // FileHandle reads to the end; String(contentsOfFile:) stops after the first 4 KiB of a /proc file.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return nil }
        let maps = String(decoding: data, as: UTF8.self)
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp", fields[5].hasSuffix("/" + name) else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            guard bounds.count == 2, let base = UnsafeMutableRawPointer(bitPattern: bounds[0]) else { return nil }
            return (base, Int((bounds[1] - bounds[0]) / pageSize))
        }
        return nil
    }

    private func residentFileKilobytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssFile:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw CocoaError(.fileReadCorruptFile) }
        return kilobytes
    }
}

/// A temporary file of `pages` pages (page n holds the byte n + 1) mapped private, readable and writable; unmapped
/// and removed on deinit.
private final class TemporaryMapping {
    let base: UnsafeMutableRawPointer
    /// The file's path.
    let path: String
    private let length: Int

    init(pages: Int, pageSize: Int) throws {
        path = NSTemporaryDirectory() + "memory-trim-\(UUID().uuidString)"
        length = pages * pageSize
        try Data((0..<length).map { UInt8(truncatingIfNeeded: $0 / pageSize + 1) }).write(to: URL(fileURLWithPath: path))
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoPermission) }
        defer { close(descriptor) }
        let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { throw CocoaError(.fileReadUnknown) }
        base = mapped
    }

    deinit {
        munmap(base, length)
        try? FileManager.default.removeItem(atPath: path)
    }
}
