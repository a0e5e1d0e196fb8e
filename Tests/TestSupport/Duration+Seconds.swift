extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, rounded up, never negative.
    var wholeMilliseconds: Int {
        max(0, Int((seconds * 1000).rounded(.up)))
    }
}
