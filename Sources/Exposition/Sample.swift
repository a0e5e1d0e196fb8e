/// One series of a metric family at the time of the collector run: its labels and its value.
public struct Sample: Sendable, Hashable {
    /// The labels, written in this order (the encoder does not reorder them).
    public let labels: [Label]
    /// The value. NaN and the infinities are allowed.
    public let value: Double

    /// Creates a sample.
    public init(labels: [Label] = [], value: Double) {
        self.labels = labels
        self.value = value
    }
}
