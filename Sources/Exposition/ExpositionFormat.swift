/// The wire formats a scrape can be answered in.
public enum ExpositionFormat: Sendable, Hashable {
    /// The Prometheus text format, version 0.0.4.
    case prometheusText
    /// OpenMetrics text, version 1.0.0.
    case openMetrics

    /// The `Content-Type` header value of a response in this format.
    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}
