/// The bytes of a response body: immutable, allocated once, and handed to libmicrohttpd without
/// copying.
///
/// A body can be shared by any number of responses (for example the pre-rendered bytes of a metrics
/// snapshot). Each response that is being sent keeps the body alive until libmicrohttpd has finished
/// with it, so a body may be dropped by its owner at any time.
public final class HTTPBody: Sendable {
    /// The owned bytes. Never mutated after `init`, never empty-pointer (at least one byte is allocated).
    nonisolated(unsafe) private let storage: UnsafeMutableRawBufferPointer

    /// The number of bytes in the body.
    public let count: Int

    /// A body with no bytes.
    public static let empty = HTTPBody([])

    /// Copies `bytes` into a new body.
    public init(_ bytes: [UInt8]) {
        count = bytes.count
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, !source.isEmpty {
                storage.baseAddress!.copyMemory(from: base, byteCount: source.count)
            }
        }
    }

    /// Creates a body holding the UTF-8 encoding of `string`.
    public convenience init(string: String) {
        self.init(Array(string.utf8))
    }

    deinit {
        storage.deallocate()
    }

    /// Whether the body has no bytes.
    public var isEmpty: Bool { count == 0 }

    /// A copy of the bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Calls `body` with the bytes; the buffer must not escape the call.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// The start of the bytes, for handing to libmicrohttpd (which never writes to it).
    var baseAddress: UnsafeMutableRawPointer {
        storage.baseAddress!
    }
}
