import YAML

extension Node {
    /// What kind of YAML value this is, for messages: `a mapping`, `a list`, `a number (5)`, `a string ("text")`, ….
    /// A string is quoted only when short and on one line: a long one is rarely a collectors file's own text (a
    /// private key or a password file given as --config.file) and is described by its length.
    var kindDescription: String {
        guard case .scalar(let scalar) = self else { return kindWithoutValue }
        switch scalar.tag {
        case .string where scalar.string.count <= 40 && !scalar.string.contains(where: \.isNewline):
            return "a string (\"\(scalar.string)\")"
        case .bool, .int, .float:
            return "\(kindWithoutValue) (\(scalar.string))"
        case .string, .null:
            return kindWithoutValue
        }
    }

    /// The kind alone, never the value: for the document's top level, where a file that is not a collectors file
    /// (a password file, a key) would otherwise be quoted whole.
    var kindWithoutValue: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch scalar.tag {
            case .null: return "an empty value"
            case .bool: return "a boolean"
            case .int, .float: return "a number"
            case .string: return "a string of \(scalar.string.count) characters"
            }
        }
    }
}
