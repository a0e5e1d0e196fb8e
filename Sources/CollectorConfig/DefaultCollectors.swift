extension CollectorsFileLoader {
    /// The name the embedded default collectors file goes by in messages and on the landing page.
    public static let defaultCollectorsPath = "<default collectors>"

    /// The collectors chat-exporter runs without `--config.file`: `collectors/default.yml`, embedded at build time.
    public static var defaultCollectorsYAML: String { EmbeddedDefaultCollectors.text }

    /// Parses the embedded default collectors.
    public static func loadDefaultCollectors() throws -> CollectorsFile {
        try parse(yaml: defaultCollectorsYAML, path: defaultCollectorsPath)
    }
}
