import CollectorConfig

/// Where the collectors come from: `--config.file`, or the embedded defaults.
struct CollectorsSource: Sendable {
    let path: String?

    var displayName: String { path ?? CollectorsFileLoader.defaultCollectorsPath }

    /// Reads and validates the collectors. Errors name file:line:column.
    func load() throws -> CollectorsFile {
        if let path { return try CollectorsFileLoader.load(path: path) }
        return try CollectorsFileLoader.loadDefaultCollectors()
    }
}
