import TextFile
import YAML

/// Loads and validates collectors files.
///
/// Every problem is reported as one ``ConfigError`` naming the file, line and column of the offending
/// key or value.
public enum CollectorsFileLoader {
    /// Reads the file at `path` and validates it.
    ///
    /// - Throws: ``ConfigError``: without a position when the file cannot be read, otherwise at the
    ///   first problem in the file.
    public static func load(path: String) throws(ConfigError) -> CollectorsFile {
        let yaml: String
        do {
            yaml = try TextFile.text(path: path)
        } catch {
            throw ConfigError(file: path, line: 0, column: 0, message: "cannot read: \(error.reason)")
        }
        return try parse(yaml: yaml, path: path)
    }

    /// Validates the collectors file `yaml`; `path` names it in errors and in the result.
    ///
    /// - Throws: ``ConfigError`` at the first problem: YAML syntax, structure, or a rule of the format.
    public static func parse(yaml: String, path: String) throws(ConfigError) -> CollectorsFile {
        let root: Node?
        do {
            root = try YAMLComposer.compose(yaml)
        } catch {
            throw YAMLErrorTranslator.configError(error, yaml: yaml, file: path)
        }
        var validator = CollectorsFileValidator(file: path)
        return try validator.validate(root)
    }
}
