extension ExpositionEncoder {
    /// Appends the UTF-8 bytes of `string` as they are, through its contiguous storage when it has
    /// one (always, for native Swift strings), which is cheaper than appending the `UTF8View`.
    @inline(__always)
    static func appendRaw(_ string: String, into bytes: inout [UInt8]) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: string.utf8) }
    }
}
