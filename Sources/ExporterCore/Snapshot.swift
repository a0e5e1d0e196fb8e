public import HTTPServer

/// What a scrape reads: every response body chat-exporter serves, rendered once when the state changed.
/// Immutable; the store swaps a new one in whole.
public struct Snapshot: Sendable {
    /// Increases with every swap.
    public let generation: Int
    public let prometheusText: HTTPBody
    public let prometheusTextGzip: HTTPBody
    public let openMetrics: HTTPBody
    public let openMetricsGzip: HTTPBody
    public let landingPage: HTTPBody
    /// Whether `/-/ready` answers 200.
    public let isReady: Bool
}
