extension PrometheusDuration {
    /// Why a text is not a Prometheus duration.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text that was given.
        public var text: String
        /// What is wrong with it, e.g. `missing unit (one of ms, s, m, h, d, w, y, e.g. "5s")`.
        public var reason: String

        /// Creates a parse error.
        public init(text: String, reason: String) {
            self.text = text
            self.reason = reason
        }

        /// `invalid duration "5": missing unit (…)`.
        public var description: String { "invalid duration \"\(text)\": \(reason)" }
    }
}
