import YAML

extension CollectorsFileValidator {
    static let globalKeys = ["interval", "timeout", "max_series"]

    /// Reads the `global` section (an empty `global:` keeps every default).
    func readGlobal(_ node: Node) throws(ConfigError) -> GlobalDefaults {
        var defaults = GlobalDefaults()
        guard !node.isNull else { return defaults }
        let fields = try MappingFields(
            node, place: "in global", expected: "global must be a mapping", allowedKeys: Self.globalKeys, file: file)
        if let intervalNode = fields["interval"] {
            defaults.interval = try interval(intervalNode)
            defaults.intervalIsExplicit = true
        }
        if let timeoutNode = fields["timeout"] {
            let value = try timeout(timeoutNode)
            // Against the default interval only when the file sets it: otherwise each collector's own interval is
            // what counts, and the collectors check it.
            guard value <= defaults.interval || fields["interval"] == nil else {
                throw ConfigError(
                    file: file, at: timeoutNode.mark,
                    "timeout \(PrometheusDuration.format(value)) is longer than the interval "
                        + "\(PrometheusDuration.format(defaults.interval)); "
                        + "a query must finish before its next run starts")
            }
            defaults.explicitTimeout = value
        }
        if let maxSeriesNode = fields["max_series"] {
            defaults.maxSeries = try positiveInteger(maxSeriesNode, for: "max_series")
        }
        return defaults
    }
}
