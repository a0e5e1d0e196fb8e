import YAML

/// The `global` section: the defaults collectors and metrics inherit.
struct GlobalDefaults {
    /// The query timeout when neither the collector nor `global` sets one (capped at the interval).
    static let defaultTimeout: Duration = .seconds(10)

    /// The default interval of every collector.
    var interval: Duration = .seconds(30)
    /// Whether `global` sets the interval (otherwise it is the built-in 30s).
    var intervalIsExplicit = false
    /// The timeout `global` sets, if it sets one.
    var explicitTimeout: Duration?
    /// The default cap on series per metric.
    var maxSeries = 10_000

    /// The timeout of a collector that runs every `interval` and sets no timeout itself: the global
    /// timeout when the file sets one, otherwise 10s or the interval, whichever is shorter.
    func timeout(forInterval interval: Duration) -> Duration {
        explicitTimeout ?? min(Self.defaultTimeout, interval)
    }
}
