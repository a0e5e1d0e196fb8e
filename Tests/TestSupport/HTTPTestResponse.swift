/// An HTTP response as it came over the wire, body undecoded (a gzip body stays gzip).
public struct HTTPTestResponse: Sendable {
    /// The status code.
    public let status: Int
    /// The header fields by lowercased name; repeated fields are joined with ", ".
    public let headers: [String: String]
    /// The body bytes, after removing chunked transfer coding if any.
    public let body: [UInt8]

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The value of the header field `name`, in any letter case.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}
