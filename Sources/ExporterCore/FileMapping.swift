/// One mapping of a file into this process, from a line of `/proc/self/maps`.
struct FileMapping: Equatable {
    /// The first address of the mapping.
    let start: UInt
    /// The address just past its end.
    let end: UInt
    /// Whether the mapping can be written (its permissions hold `w`).
    let writable: Bool

    /// The mappings of the file at `path` (absolute, symbolic links resolved) in the text of `/proc/self/maps`.
    ///
    /// A line is `address perms offset dev inode path`; the path is padded with spaces and may hold spaces itself.
    static func parse(maps: String, path: String) -> [FileMapping] {
        maps.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5].drop(while: { $0 == " " }) == path else { return nil }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start else { return nil }
            return FileMapping(start: start, end: end, writable: fields[1].contains("w"))
        }
    }
}
