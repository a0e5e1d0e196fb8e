import CollectorConfig

/// The embedded default collectors, optionally with some of their settings changed.
enum DefaultCollectorsFile {
    /// Parses the default YAML text with each `settings` key's line (`  key: value` under `settings:`)
    /// replaced, and checks the parsed file holds the new values. Throws when a key has no such line.
    static func with(_ settings: [String: String]) throws -> CollectorsFile {
        guard !settings.isEmpty else { return try CollectorsFileLoader.loadDefaultCollectors() }
        var lines = CollectorsFileLoader.defaultCollectorsYAML.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (key, value) in settings {
            let matching = lines.indices.filter { lines[$0].hasPrefix("  \(key): ") }
            guard matching.count == 1, let index = matching.first else {
                throw HarnessError("the default collectors have \(matching.count) lines for the setting \(key), expected 1")
            }
            lines[index] = "  \(key): \"\(value)\""
        }
        let file = try CollectorsFileLoader.parse(yaml: lines.joined(separator: "\n"), path: "default.yml with \(settings)")
        for (key, value) in settings where file.settings[key] != .some(value) {
            throw HarnessError("the setting \(key) parsed as \(String(describing: file.settings[key])), expected \(value)")
        }
        return file
    }
}
