import YAML

extension ConfigError {
    /// An error at the position of a YAML node or of a parser error (1:1 when there is none).
    init(file: String, at mark: Mark?, _ message: String) {
        self.init(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }
}
