/// The metric types chat-exporter exposes.
///
/// Collectors produce only gauges and counters; `untyped` is not offered because every
/// series chat-exporter serves has a known meaning.
public enum MetricType: String, Sendable, CaseIterable, Hashable {
    case gauge
    case counter
}
