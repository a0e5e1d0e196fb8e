/// One HTTP header field of a response.
public struct HTTPHeader: Sendable, Hashable {
    /// The field name, as it is sent (for example `Content-Type`).
    public var name: String
    /// The field value.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
