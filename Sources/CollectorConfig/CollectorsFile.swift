/// A validated collectors file: every collector with its defaults applied and its parameters resolved.
public struct CollectorsFile: Sendable, Equatable {
    /// The collectors, in the order of the file.
    public var collectors: [CollectorDefinition]
    /// The named settings of the file in their textual form (`nil` is YAML null, bound as SQL NULL).
    public var settings: [String: String?]
    /// The path the file was loaded from (the `path` given to the loader).
    public var path: String

    /// Creates a collectors file.
    public init(collectors: [CollectorDefinition], settings: [String: String?] = [:], path: String) {
        self.collectors = collectors
        self.settings = settings
        self.path = path
    }
}
