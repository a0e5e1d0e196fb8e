import YAML

extension CollectorsFileValidator {
    /// Reads a collector's `parameters`: literal scalars and `{setting: name}` references, resolved to
    /// the text bound as `$1`, `$2`, … (`nil` is SQL NULL).
    func readParameters(_ node: Node) throws(ConfigError) -> [String?] {
        guard !node.isNull else { return [] }
        guard case .sequence(let items) = node else {
            throw ConfigError(
                file: file, at: node.mark,
                "parameters must be a list of values or {setting: name} references, found \(node.kindDescription)")
        }
        var values: [String?] = []
        for (offset, item) in items.enumerated() {
            let position = "parameter $\(offset + 1)"
            switch item {
            case .scalar(let scalar):
                values.append(item.isNull ? nil : scalar.string)
            case .mapping:
                let fields = try MappingFields(
                    item, place: "in \(position)", expected: "\(position) must be a value or {setting: name}",
                    allowedKeys: ["setting"], file: file)
                try fields.requireKeys(["setting"], in: position, file: file)
                guard let settingNode = fields["setting"] else { preconditionFailure("required key checked above") }
                values.append(try resolveSetting(settingNode))
            default:
                throw ConfigError(
                    file: file, at: item.mark,
                    "\(position) must be a value or {setting: name}, found \(item.kindDescription)")
            }
        }
        return values
    }

    /// The value of the setting `node` names.
    func resolveSetting(_ node: Node) throws(ConfigError) -> String? {
        let name = try text(node, for: "setting")
        guard let value = settings[name] else {
            let hint = KeySuggestion.hint(for: name, among: settingNames)
            let known = settingNames.isEmpty
                ? "the file defines no settings"
                : "defined settings: \(settingNames.joined(separator: ", "))"
            throw ConfigError(file: file, at: node.mark, "unknown setting \"\(name)\"\(hint); \(known)")
        }
        return value
    }
}
