import Yams

extension Node {
    /// Whether this is a scalar that YAML reads as null (`~`, `null`, or nothing at all).
    var isNull: Bool {
        guard case .scalar = self else { return false }
        return tagName == .null
    }

    /// The resolved tag of this node (`tag:yaml.org,2002:int`, …).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    /// What kind of YAML value this is, for messages: `a mapping`, `a list`, `a number`, `"text"`, ….
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch tagName {
            case .null: return "an empty value"
            case .bool: return "a boolean (\(scalar.string))"
            case .int, .float: return "a number (\(scalar.string))"
            default: return "a string (\"\(scalar.string)\")"
            }
        }
    }
}
