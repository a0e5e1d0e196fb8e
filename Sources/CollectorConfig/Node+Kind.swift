import YAML

extension Node {
    /// What kind of YAML value this is, for messages: `a mapping`, `a list`, `a number`, `"text"`, ….
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch scalar.tag {
            case .null: return "an empty value"
            case .bool: return "a boolean (\(scalar.string))"
            case .int, .float: return "a number (\(scalar.string))"
            case .string: return "a string (\"\(scalar.string)\")"
            }
        }
    }
}
