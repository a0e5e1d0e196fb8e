/// One label of a sample: a name and its value.
///
/// The name must satisfy ``MetricNaming/isValidLabelName(_:)``; the value is any string and is
/// escaped by the encoder.
public struct Label: Sendable, Hashable {
    /// The label name, for example `room_type`.
    public let name: String
    /// The label value, written with `\`, `"` and newlines escaped.
    public let value: String

    /// Creates a label.
    ///
    /// - Precondition: `name` is a valid label name (``MetricNaming/isValidLabelName(_:)``). An invalid
    ///   name would corrupt the whole exposition, so it is a programming error caught here.
    public init(name: String, value: String) {
        precondition(MetricNaming.isValidLabelName(name), "invalid label name \(name)")
        self.name = name
        self.value = value
    }
}
