import YAML

extension CollectorsFileValidator {
    static let collectorKeys = ["name", "description", "interval", "timeout", "parameters", "sql", "metrics"]

    /// Reads one entry of `collectors`.
    mutating func readCollector(_ node: Node) throws(ConfigError) -> CollectorDefinition {
        let fields = try MappingFields(
            node, place: "in collector", expected: "each collector must be a mapping",
            allowedKeys: Self.collectorKeys, file: file)
        let what = Self.describe("collector", named: fields["name"])
        try fields.requireKeys(["name", "sql", "metrics"], in: what, file: file)
        guard let nameNode = fields["name"], let sqlNode = fields["sql"], let metricsNode = fields["metrics"] else {
            preconditionFailure("required keys checked above")
        }

        let name = try collectorName(nameNode)
        var description: String?
        if let descriptionNode = fields["description"], !descriptionNode.isNull {
            description = try text(descriptionNode, for: "description")
        }
        let (interval, timeout) = try schedule(fields)
        var parameters: [String?] = []
        if let parametersNode = fields["parameters"] {
            parameters = try readParameters(parametersNode)
        }
        let sql = try nonEmptyText(sqlNode, for: "sql")
        try checkShape(of: sql, at: sqlNode, parameters: parameters.count, parametersNode: fields["parameters"])

        guard case .sequence(let metricNodes) = metricsNode else {
            throw ConfigError(
                file: file, at: metricsNode.mark, "metrics must be a list of metrics, found \(metricsNode.kindDescription)")
        }
        guard !metricNodes.isEmpty else {
            throw ConfigError(file: file, at: metricsNode.mark, "metrics must list at least one metric")
        }
        var metrics: [MetricDefinition] = []
        for metricNode in metricNodes {
            metrics.append(try readMetric(metricNode, collector: name))
        }
        return CollectorDefinition(
            name: name, description: description, sql: sql, interval: interval, timeout: timeout,
            parameters: parameters, metrics: metrics)
    }

    /// What the server would refuse at every run, caught here: more than one statement (the extended protocol takes
    /// one), a `$N` beyond the parameters given, or a parameter the SQL never uses (its type cannot be inferred).
    func checkShape(of sql: String, at sqlNode: Node, parameters: Int, parametersNode: Node?) throws(ConfigError) {
        let shape = SQLShape(sql)
        if shape.hasSeveralStatements {
            throw ConfigError(
                file: file, at: sqlNode.mark,
                "sql holds more than one statement; a collector runs exactly one (a trailing semicolon is fine)")
        }
        if let highest = shape.placeholders.max(), highest > parameters {
            throw ConfigError(
                file: file, at: sqlNode.mark,
                "sql uses $\(highest) but the collector gives \(parameters) parameter\(parameters == 1 ? "" : "s")")
        }
        if let unused = (1...max(parameters, 1)).first(where: { $0 <= parameters && !shape.placeholders.contains($0) }) {
            var mark = parametersNode?.mark ?? sqlNode.mark
            if case .sequence(let items)? = parametersNode, unused <= items.count { mark = items[unused - 1].mark }
            throw ConfigError(
                file: file, at: mark,
                "parameter $\(unused) is never used in sql; PostgreSQL cannot tell its type (remove it, or use it)")
        }
    }

    /// The collector name: `[a-z_][a-z0-9_]*`, not used by an earlier collector.
    mutating func collectorName(_ node: Node) throws(ConfigError) -> String {
        let name = try text(node, for: "name")
        guard Self.isValidCollectorName(name) else {
            throw ConfigError(
                file: file, at: node.mark,
                "invalid collector name \"\(name)\": use lowercase letters, digits and underscores, "
                    + "not starting with a digit ([a-z_][a-z0-9_]*)")
        }
        if let first = collectorNames[name] {
            throw ConfigError(
                file: file, at: node.mark,
                "duplicate collector name \"\(name)\" (first defined at line \(first?.line ?? 0))")
        }
        collectorNames[name] = node.mark
        return name
    }

    /// The interval and timeout of a collector, its own or inherited from `global`; the timeout may not
    /// exceed the interval, or a run could overlap the next one.
    func schedule(_ fields: MappingFields) throws(ConfigError) -> (interval: Duration, timeout: Duration) {
        let intervalNode = fields["interval"]
        let timeoutNode = fields["timeout"]
        var interval = defaults.interval
        if let intervalNode {
            interval = try self.interval(intervalNode)
        }
        var timeout = defaults.timeout(forInterval: interval)
        if let timeoutNode {
            timeout = try self.timeout(timeoutNode)
        }
        guard timeout <= interval else {
            let timeoutSource = timeoutNode == nil ? " (from global)" : ""
            let intervalSource = intervalNode != nil ? "" : defaults.intervalIsExplicit ? " (from global)" : " (the default interval)"
            let fix = timeoutNode == nil
                ? "; set a timeout of at most \(PrometheusDuration.format(interval)) for this collector" : ""
            throw ConfigError(
                file: file, at: (timeoutNode ?? intervalNode ?? fields["name"])?.mark,
                "timeout \(PrometheusDuration.format(timeout))\(timeoutSource) is longer than the interval "
                    + "\(PrometheusDuration.format(interval))\(intervalSource); "
                    + "a query must finish before its next run starts\(fix)")
        }
        return (interval, timeout)
    }

    /// `[a-z_][a-z0-9_]*`
    static func isValidCollectorName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `collector "name"` when the name node holds a string, otherwise just `collector`, for messages.
    static func describe(_ kind: String, named nameNode: Node?) -> String {
        guard let nameNode, case .scalar(let scalar) = nameNode, !nameNode.isNull else { return kind }
        return "\(kind) \"\(scalar.string)\""
    }
}
