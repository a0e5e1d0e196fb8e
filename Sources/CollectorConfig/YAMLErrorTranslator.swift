import YAML

/// Turns the errors of the YAML composer into ``ConfigError``s with a position and a one-line message.
enum YAMLErrorTranslator {
    /// The ``ConfigError`` for `error`, met while composing `yaml`.
    static func configError(_ error: YAMLError, yaml: String, file: String) -> ConfigError {
        switch error {
        case .syntax(let problem, let mark, let context):
            return syntaxError(context: context, problem: problem, mark: mark, yaml: yaml, file: file)
        case .reader(let problem, let mark):
            return ConfigError(file: file, at: mark, "invalid YAML input: \(problem)")
        case .undefinedAlias(let anchor, let mark):
            return ConfigError(file: file, at: mark, "YAML syntax error: found undefined alias \"\(anchor)\"")
        case .secondDocument(let mark):
            return ConfigError(
                file: file, at: mark, "the file must hold a single YAML document, found a second one here")
        case .duplicateKey(let key, let first, let second):
            return ConfigError(
                file: file, at: second, "duplicate key \"\(key)\" (first at line \(first.line), column \(first.column))")
        case .outOfMemory:
            return ConfigError(file: file, line: 1, column: 1, message: "cannot parse YAML: out of memory")
        }
    }

    /// A scanner or parser error, on one line.
    static func syntaxError(
        context: YAMLError.Context?, problem: String, mark: Mark, yaml: String, file: String
    ) -> ConfigError {
        let source = SourceText(yaml)
        guard let context else {
            var message = "YAML syntax error: \(problem)"
            if problem.hasPrefix("mapping values are not allowed") {
                message += " (quote values that contain \": \", or check the indentation)"
            }
            return ConfigError(file: file, at: mark, message)
        }
        // A construct left open until the end of the file: its start is the useful position.
        if source.isAtEnd(mark) {
            if context.text.contains("quoted scalar") {
                return ConfigError(
                    file: file, at: context.mark,
                    "YAML syntax error: unclosed quote (the quoted string that starts here never ends)")
            }
            return ConfigError(
                file: file, at: context.mark,
                "YAML syntax error: \(problem) (\(context.text) that starts here, before the end of the file)")
        }
        var message = "YAML syntax error: \(problem) (\(context.text) at line \(context.mark.line), "
            + "column \(context.mark.column))"
        if source.scalar(at: mark) == "\t" {
            message += "; tabs are not allowed for indentation, use spaces"
        } else if problem.contains("did not find expected key") || problem.contains("did not find expected '-'") {
            message += "; check the indentation"
        }
        return ConfigError(file: file, at: mark, message)
    }
}
