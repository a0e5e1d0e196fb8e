extension ExpositionEncoder {
    /// Appends the UTF-8 bytes of `string` with `\` written as `\\`, a newline as `\n` and, when
    /// `escapingQuotes` is set, `"` as `\"`.
    ///
    /// Used for label values (quotes escaped in both formats) and help texts (quotes escaped only
    /// in OpenMetrics: the text format 0.0.4 does not know `\"` in `# HELP`).
    static func appendEscaped(_ string: String, escapingQuotes: Bool, into bytes: inout [UInt8]) {
        let copied: Bool? = string.utf8.withContiguousStorageIfAvailable { buffer in
            for byte in buffer where needsEscape(byte, escapingQuotes: escapingQuotes) {
                return false
            }
            bytes.append(contentsOf: buffer)
            return true
        }
        if copied == true { return }
        for byte in string.utf8 {
            if needsEscape(byte, escapingQuotes: escapingQuotes) {
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte == UInt8(ascii: "\n") ? UInt8(ascii: "n") : byte)
            } else {
                bytes.append(byte)
            }
        }
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8, escapingQuotes: Bool) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n") || (escapingQuotes && byte == UInt8(ascii: "\""))
    }
}
