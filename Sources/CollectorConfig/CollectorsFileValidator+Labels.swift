import Exposition
import YAML

extension CollectorsFileValidator {
    /// Reads a metric's `labels`: a list of result columns, each a valid label name, none repeated and
    /// none the value column. Returns the names in order and the position of each.
    func readLabels(
        _ node: Node, valueColumn: String
    ) throws(ConfigError) -> (names: [String], marks: [String: Mark?]) {
        guard !node.isNull else { return ([], [:]) }
        guard case .sequence(let items) = node else {
            throw ConfigError(
                file: file, at: node.mark, "labels must be a list of column names, found \(node.kindDescription)")
        }
        var names: [String] = []
        var marks: [String: Mark?] = [:]
        for item in items {
            let name = try text(item, for: "a label")
            try checkLabelName(name, at: item)
            if let first = marks[name] {
                throw ConfigError(
                    file: file, at: item.mark,
                    "duplicate label \"\(name)\" (already listed at line \(first?.line ?? 0), "
                        + "column \(first?.column ?? 0))")
            }
            guard name != valueColumn else {
                throw ConfigError(
                    file: file, at: item.mark,
                    "column \"\(name)\" is the value of this metric and cannot also be a label")
            }
            names.append(name)
            marks[name] = item.mark
        }
        return (names, marks)
    }

    /// Reads a metric's `const_labels`: a mapping of label names to non-empty values, none of them also a
    /// column label.
    func readConstLabels(_ node: Node, columnLabels: [String: Mark?]) throws(ConfigError) -> [ConstLabel] {
        guard !node.isNull else { return [] }
        guard case .mapping(let mapping) = node else {
            throw ConfigError(
                file: file, at: node.mark,
                "const_labels must be a mapping of label names to values, found \(node.kindDescription)")
        }
        var labels: [ConstLabel] = []
        var marks: [String: Mark?] = [:]
        for (key, value) in mapping {
            let name = try text(key, for: "a const label name")
            try checkLabelName(name, at: key)
            if let first = columnLabels[name] {
                throw ConfigError(
                    file: file, at: key.mark,
                    "duplicate label \"\(name)\": it is already a column label (line \(first?.line ?? 0))")
            }
            if let first = marks[name] {
                throw ConfigError(
                    file: file, at: key.mark, "duplicate label \"\(name)\" (first at line \(first?.line ?? 0))")
            }
            guard case .scalar(let scalar) = value, !value.isNull else {
                throw ConfigError(
                    file: file, at: value.mark,
                    "const label \"\(name)\" must have a string value, found \(value.kindDescription)")
            }
            guard !scalar.string.isEmpty else {
                throw ConfigError(
                    file: file, at: value.mark,
                    "const label \"\(name)\" must not be empty (an empty label value is the same as no label)")
            }
            marks[name] = key.mark
            labels.append(ConstLabel(name: name, value: scalar.string))
        }
        return labels
    }

    /// Throws unless `name` is a valid Prometheus label name.
    func checkLabelName(_ name: String, at node: Node) throws(ConfigError) {
        guard !MetricNaming.isValidLabelName(name) else { return }
        if name.hasPrefix("__") {
            throw ConfigError(
                file: file, at: node.mark,
                "invalid label name \"\(name)\": names starting with \"__\" are reserved for Prometheus")
        }
        throw ConfigError(
            file: file, at: node.mark,
            "invalid label name \"\(name)\": label names must match [a-zA-Z_][a-zA-Z0-9_]*")
    }
}
