import Yams

/// Finds the second occurrence of a key that Yams reports as duplicated.
///
/// Yams rejects a mapping with a repeated key but names only the first occurrence. The repetition is
/// the useful position, so the locator renames the reported occurrence (one character swapped for a
/// private-use character, which keeps every column) and parses again, repeating while Yams reports more
/// duplicates; in the tree it finally gets, the mapping holding the renamed key holds the repetition.
enum DuplicateKeyLocator {
    /// The most keys renamed before giving up and reporting the first occurrence.
    static let maximumRenames = 64

    /// The error for `key`, whose first occurrence is at `firstMark`.
    static func error(key: String, firstAt firstMark: Mark, yaml: String, file: String) -> ConfigError {
        if let second = secondOccurrence(of: key, firstAt: firstMark, yaml: yaml) {
            return ConfigError(
                file: file, at: second,
                "duplicate key \"\(key)\" (first at line \(firstMark.line), column \(firstMark.column))")
        }
        return ConfigError(file: file, at: firstMark, "duplicate key \"\(key)\": it appears more than once in this mapping")
    }

    /// The position of the next occurrence of `key` in the mapping whose key at `firstMark` is `key`.
    static func secondOccurrence(of key: String, firstAt firstMark: Mark, yaml: String) -> Mark? {
        var scalars = SourceText(yaml).scalars
        var originalKeys: [SourcePosition: String] = [:]
        var current = (key: key, mark: firstMark)
        for round in 0..<maximumRenames {
            guard let marker = Unicode.Scalar(0xE000 + round),
                rename(key: current.key, at: current.mark, in: &scalars, marker: marker)
            else { return nil }
            originalKeys[SourcePosition(current.mark)] = current.key
            do {
                guard let root = try Yams.compose(yaml: String(String.UnicodeScalarView(scalars)), .default, .default, .utf8)
                else { return nil }
                return find(key: key, after: firstMark, in: root, originalKeys: originalKeys)
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                guard let next = duplicates.first else { return nil }
                current = (next, context.mark)
            } catch {
                return nil
            }
        }
        return nil
    }

    /// Replaces the first character of the key `key` that starts at `mark` (after its quote, if quoted).
    static func rename(key: String, at mark: Mark, in scalars: inout [Unicode.Scalar], marker: Unicode.Scalar) -> Bool {
        let source = SourceText(String(String.UnicodeScalarView(scalars)))
        guard var index = source.scalarIndex(line: mark.line, column: mark.column) else { return false }
        if scalars[index] == "\"" || scalars[index] == "'" { index += 1 }
        guard index < scalars.count, let first = key.unicodeScalars.first, scalars[index] == first else { return false }
        scalars[index] = marker
        return true
    }

    /// The mark of the first key after `firstMark`, in the mapping holding the key at `firstMark`, whose
    /// original text is `key`.
    static func find(key: String, after firstMark: Mark, in node: Node, originalKeys: [SourcePosition: String]) -> Mark? {
        switch node {
        case .mapping(let mapping):
            let keys = Array(mapping.keys)
            if let firstIndex = keys.firstIndex(where: { $0.mark.map(SourcePosition.init) == SourcePosition(firstMark) }) {
                for candidate in keys[(firstIndex + 1)...] {
                    guard let mark = candidate.mark else { continue }
                    let text = originalKeys[SourcePosition(mark)] ?? candidate.scalar?.string
                    if text == key { return mark }
                }
            }
            for (childKey, value) in mapping {
                if let found = find(key: key, after: firstMark, in: childKey, originalKeys: originalKeys) { return found }
                if let found = find(key: key, after: firstMark, in: value, originalKeys: originalKeys) { return found }
            }
            return nil
        case .sequence(let sequence):
            for item in sequence {
                if let found = find(key: key, after: firstMark, in: item, originalKeys: originalKeys) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
