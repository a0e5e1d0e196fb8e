import YAML

extension CollectorsFileValidator {
    /// Reads the `settings` section: names (`[A-Za-z_][A-Za-z0-9_]*`) with scalar values.
    mutating func readSettings(_ node: Node) throws(ConfigError) {
        guard !node.isNull else { return }
        guard case .mapping(let mapping) = node else {
            throw ConfigError(
                file: file, at: node.mark,
                "settings must be a mapping of names to values, found \(node.kindDescription)")
        }
        var keyMarks: [String: Mark?] = [:]
        for (key, value) in mapping {
            guard case .scalar(let keyScalar) = key, !key.isNull else {
                throw ConfigError(file: file, at: key.mark, "setting names must be strings, found \(key.kindDescription)")
            }
            let name = keyScalar.string
            guard Self.isValidSettingName(name) else {
                throw ConfigError(
                    file: file, at: key.mark,
                    "invalid setting name \"\(name)\": use letters, digits and underscores, not starting with a digit")
            }
            if let first = keyMarks[name] {
                throw ConfigError(
                    file: file, at: key.mark, "duplicate setting \"\(name)\" (first at line \(first?.line ?? 0))")
            }
            keyMarks[name] = key.mark
            guard case .scalar(let valueScalar) = value else {
                throw ConfigError(
                    file: file, at: value.mark,
                    "setting \"\(name)\" must be a single value (string, number, boolean or null), "
                        + "found \(value.kindDescription)")
            }
            settings[name] = value.isNull ? String?.none : valueScalar.string
            settingNames.append(name)
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`
    static func isValidSettingName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
}
