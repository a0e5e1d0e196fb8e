import YAML

/// Walks the YAML tree of a collectors file, checks every rule, and builds the typed definitions.
///
/// The walk stops at the first problem, which it throws as a ``ConfigError`` naming the offending node.
struct CollectorsFileValidator {
    static let topLevelKeys = ["global", "settings", "collectors"]

    /// The path of the file, for errors.
    let file: String
    /// The defaults from `global`.
    var defaults = GlobalDefaults()
    /// The settings by name, in textual form.
    var settings: [String: String?] = [:]
    /// The setting names in the order of the file, for messages.
    var settingNames: [String] = []
    /// The position of each collector name seen so far.
    var collectorNames: [String: Mark?] = [:]
    /// The declarations of each metric name seen so far, in the order of the file.
    var metricDeclarations: [String: [MetricDeclaration]] = [:]
    /// The first declaration seen so far for each OpenMetrics family name.
    var openMetricsFamilies: [String: MetricDeclaration] = [:]

    init(file: String) {
        self.file = file
    }

    /// Validates the document `root` (nil when the file holds no document).
    mutating func validate(_ root: Node?) throws(ConfigError) -> CollectorsFile {
        guard let root, !root.isNull else {
            throw ConfigError(
                file: file, at: root?.mark,
                "the file is empty; it must be a mapping with a \"collectors\" list")
        }
        guard case .mapping = root else {
            // Never the value: a password file or a key given as the collectors file would be quoted whole.
            throw ConfigError(
                file: file, at: root.mark,
                "the file must be a mapping with a \"collectors\" list, found \(root.kindWithoutValue)")
        }
        let fields = try MappingFields(
            root, place: "at the top level",
            expected: "the file must be a mapping with a \"collectors\" list",
            allowedKeys: Self.topLevelKeys, file: file)
        try fields.requireKeys(["collectors"], in: "the file", file: file)
        if let global = fields["global"] {
            defaults = try readGlobal(global)
        }
        if let settingsNode = fields["settings"] {
            try readSettings(settingsNode)
        }
        guard let collectorsNode = fields["collectors"] else { preconditionFailure("required key checked above") }
        guard case .sequence(let items) = collectorsNode else {
            throw ConfigError(
                file: file, at: collectorsNode.mark,
                "collectors must be a list of collectors, found \(collectorsNode.kindDescription)")
        }
        guard !items.isEmpty else {
            throw ConfigError(file: file, at: collectorsNode.mark, "collectors must list at least one collector")
        }
        var collectors: [CollectorDefinition] = []
        for item in items {
            collectors.append(try readCollector(item))
        }
        return CollectorsFile(collectors: collectors, settings: settings, path: file)
    }
}
