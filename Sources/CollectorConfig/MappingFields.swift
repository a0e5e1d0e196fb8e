import YAML

/// The entries of one YAML mapping of the file, after checking that every key is one the mapping allows.
struct MappingFields {
    /// The mapping's position: where a missing key is reported.
    let mark: Mark
    /// The entries by key, with the key node (for its position) and the value node.
    private let entries: [String: (key: Node, value: Node)]

    /// Reads `node` as a mapping whose keys are all in `allowedKeys`.
    ///
    /// - Parameters:
    ///   - place: where the mapping is, for messages: `in collector`, `at the top level`, ….
    ///   - expected: how a wrong type is described, e.g. `each collector must be a mapping`.
    /// - Throws: when `node` is not a mapping, a key is not a string, a key is not allowed, or a key repeats.
    init(_ node: Node, place: String, expected: String, allowedKeys: [String], file: String) throws(ConfigError) {
        guard case .mapping(let mapping) = node else {
            throw ConfigError(file: file, at: node.mark, "\(expected), found \(node.kindDescription)")
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, !key.isNull else {
                throw ConfigError(file: file, at: key.mark, "keys \(place) must be strings, found \(key.kindDescription)")
            }
            let name = scalar.string
            guard allowedKeys.contains(name) else {
                let hint = KeySuggestion.hint(for: name, among: allowedKeys)
                throw ConfigError(
                    file: file, at: key.mark,
                    "unknown key \"\(name)\" \(place)\(hint); allowed: \(allowedKeys.joined(separator: ", "))")
            }
            if let first = entries[name] {
                throw ConfigError(
                    file: file, at: key.mark,
                    "duplicate key \"\(name)\" \(place) (first at line \(first.key.mark.line))")
            }
            entries[name] = (key, value)
        }
        self.mark = node.mark
        self.entries = entries
    }

    /// The value of `key`, if present.
    subscript(_ key: String) -> Node? { entries[key]?.value }

    /// The key node of `key`, if present.
    func keyNode(_ key: String) -> Node? { entries[key]?.key }

    /// Throws unless every key of `keys` is present, naming the first missing one at the mapping.
    func requireKeys(_ keys: [String], in what: String, file: String) throws(ConfigError) {
        for key in keys where entries[key] == nil {
            throw ConfigError(file: file, at: mark, "\(what) is missing required key \"\(key)\"")
        }
    }
}
