/// Why gzip data could not be decompressed.
public struct GzipError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Sendable, Hashable {
        /// The input is not gzip (or zlib) data, or it is corrupt (bad header, bad checksum).
        case invalidData
        /// The input ends before the end of the compressed stream.
        case truncated
        /// zlib failed for another reason (for example it ran out of memory).
        case library
    }

    /// The kind of failure.
    public let kind: Kind
    /// zlib's message, or a description of the failure.
    public let message: String

    /// Creates an error.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// A one-line description, for example `gzip: invalid data: incorrect header check`.
    public var description: String {
        switch kind {
        case .invalidData: "gzip: invalid data: \(message)"
        case .truncated: "gzip: truncated data: \(message)"
        case .library: "gzip: zlib failure: \(message)"
        }
    }
}
