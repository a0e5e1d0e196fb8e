import Yams

/// Turns the errors of the YAML parser into ``ConfigError``s with a position and a one-line message.
enum YAMLErrorTranslator {
    /// The ``ConfigError`` for an error thrown by `Yams.compose` while reading `yaml`.
    static func configError(_ error: any Error, yaml: String, file: String) -> ConfigError {
        guard let yamlError = error as? YamlError else {
            return ConfigError(file: file, line: 1, column: 1, message: "cannot parse YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return syntaxError(context: context, problem: problem, mark: mark, yaml: yaml, file: file)
        case .reader(let problem, let offset, _, _):
            let source = SourceText(yaml)
            let mark = offset.flatMap { scalarIndex(ofCharacterOffset: $0, in: yaml) }.map(source.position(ofScalarAt:))
            return ConfigError(file: file, at: mark, "invalid YAML input: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return DuplicateKeyLocator.error(key: duplicates.first ?? "?", firstAt: context.mark, yaml: yaml, file: file)
        default:
            return ConfigError(file: file, line: 1, column: 1, message: "cannot parse YAML: \(yamlError)")
        }
    }

    /// A scanner, parser or composer error, on one line.
    static func syntaxError(
        context: YamlError.Context?, problem: String, mark: Mark, yaml: String, file: String
    ) -> ConfigError {
        let source = SourceText(yaml)
        if problem == "but found another document" {
            return ConfigError(
                file: file, at: mark, "the file must hold a single YAML document, found a second one here")
        }
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

    /// The index in the Unicode scalars of `text` of the character at `offset` (counted in `Character`s,
    /// as Yams reports reader errors).
    static func scalarIndex(ofCharacterOffset offset: Int, in text: String) -> Int? {
        guard let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else { return nil }
        return text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: index)
    }
}
