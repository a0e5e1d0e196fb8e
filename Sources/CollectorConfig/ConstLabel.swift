/// A label with a fixed value that every series of a metric carries.
public struct ConstLabel: Sendable, Hashable {
    /// The label name; a valid Prometheus label name.
    public var name: String
    /// The label value; never empty.
    public var value: String

    /// Creates a constant label.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
