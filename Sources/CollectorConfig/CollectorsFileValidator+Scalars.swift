import YAML

extension CollectorsFileValidator {
    /// The text of a scalar that must be present: strings as written, numbers and booleans in their YAML
    /// text form.
    func text(_ node: Node, for key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw ConfigError(file: file, at: node.mark, "\(key) must be a string, found \(node.kindDescription)")
        }
        guard !node.isNull else {
            throw ConfigError(file: file, at: node.mark, "\(key) must not be empty")
        }
        return scalar.string
    }

    /// Like ``text(_:for:)``, and the text must hold more than white space.
    func nonEmptyText(_ node: Node, for key: String) throws(ConfigError) -> String {
        let value = try text(node, for: key)
        guard value.contains(where: { !$0.isWhitespace }) else {
            throw ConfigError(file: file, at: node.mark, "\(key) must not be empty")
        }
        return value
    }

    /// A Prometheus duration (`30s`, `1h30m`).
    func duration(_ node: Node, for key: String) throws(ConfigError) -> Duration {
        guard case .scalar(let scalar) = node, !node.isNull else {
            throw ConfigError(
                file: file, at: node.mark, "\(key) must be a duration such as 30s or 1m, found \(node.kindDescription)")
        }
        do {
            return try PrometheusDuration.parse(scalar.string)
        } catch {
            throw ConfigError(file: file, at: node.mark, "invalid \(key) \"\(scalar.string)\": \(error.reason)")
        }
    }

    /// An interval: a duration of at least one second.
    func interval(_ node: Node) throws(ConfigError) -> Duration {
        let value = try duration(node, for: "interval")
        guard value >= .seconds(1) else {
            throw ConfigError(
                file: file, at: node.mark,
                "interval must be at least 1s, found \(PrometheusDuration.format(value))")
        }
        return value
    }

    /// A timeout: a duration greater than zero.
    func timeout(_ node: Node) throws(ConfigError) -> Duration {
        let value = try duration(node, for: "timeout")
        guard value > .zero else {
            throw ConfigError(file: file, at: node.mark, "timeout must be greater than 0, found \(PrometheusDuration.format(value))")
        }
        // PostgreSQL's statement_timeout takes whole milliseconds up to 2^31 - 1.
        guard value <= .milliseconds(Int32.max) else {
            throw ConfigError(
                file: file, at: node.mark,
                "timeout must be at most 24d (PostgreSQL's statement_timeout), found \(PrometheusDuration.format(value))")
        }
        return value
    }

    /// A positive integer such as `max_series`.
    func positiveInteger(_ node: Node, for key: String) throws(ConfigError) -> Int {
        if case .scalar(let scalar) = node, scalar.tag == .int {
            if let value = scalar.int, value > 0 { return value }
            throw ConfigError(file: file, at: node.mark, "\(key) must be a positive integer, found \(scalar.string)")
        }
        throw ConfigError(file: file, at: node.mark, "\(key) must be a positive integer, found \(node.kindDescription)")
    }
}
