import Foundation

/// Just enough of PromQL to find the vector selectors of an expression: each metric name with the text of
/// its label matchers. Strings, ranges (`[5m]`, `[$__rate_interval]`), numbers, keywords, function names
/// and the label lists of `by`, `without`, `on`, `ignoring`, `group_left` and `group_right` are skipped.
/// Grafana's variables (`$job`) inside matchers and ranges are harmless.
enum PromQL {
    struct Selector: Equatable, CustomStringConvertible {
        /// The metric name.
        let name: String
        /// The matchers between the braces, as written (`job=~"x", window="1h"`); empty without braces.
        let matchers: String
        var description: String { matchers.isEmpty ? name : "\(name){\(matchers)}" }
    }

    /// Words that are never metric names.
    static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
        "and", "or", "unless", "offset", "atan2", "inf", "nan",
    ]

    /// Aggregation operators: `sum by (job) (x)` and `max without (window) (x)` are not selectors either.
    static let aggregations: Set<String> = [
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
    ]

    /// Keywords followed by a parenthesised list of label names.
    static let labelListKeywords: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]

    private enum Token: Equatable {
        case identifier(String)
        case braces(String)
        case open, close, other
    }

    /// The vector selectors of `expression`, in order.
    static func selectors(in expression: String) -> [Selector] {
        let tokens = tokenize(expression)
        var result: [Selector] = []
        var index = 0
        while index < tokens.count {
            switch tokens[index] {
            case .identifier(let word):
                let next = index + 1 < tokens.count ? tokens[index + 1] : nil
                if labelListKeywords.contains(word.lowercased()) {
                    // Skip `by (a, b)`: the identifiers up to the closing parenthesis are label names.
                    if next == .open {
                        index += 2
                        while index < tokens.count, tokens[index] != .close {
                            index += 1
                        }
                    }
                } else if keywords.contains(word.lowercased()) || aggregations.contains(word.lowercased()) || next == .open {
                    // A keyword, an aggregation or a function call.
                } else if case .braces(let matchers)? = next {
                    result.append(Selector(name: word, matchers: matchers))
                    index += 1
                } else {
                    result.append(Selector(name: word, matchers: ""))
                }
            default:
                break
            }
            index += 1
        }
        return result
    }

    /// The metric names of `expression`, without duplicates, in order.
    static func metricNames(in expression: String) -> [String] {
        var seen: Set<String> = []
        return selectors(in: expression).map(\.name).filter { seen.insert($0).inserted }
    }

    /// The ranges of `expression`: the text between square brackets (`5m`, `$__rate_interval`, `1d`).
    static func ranges(in expression: String) -> [String] {
        var result: [String] = []
        var current: String?
        var quote: Character?
        for character in expression {
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'", "`": quote = character
            case "[": current = ""
            case "]":
                if let text = current { result.append(text) }
                current = nil
            default: current?.append(character)
            }
        }
        return result
    }

    private static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        func isIdentifierStart(_ c: Character) -> Bool { c.isLetter || c == "_" || c == ":" }
        func isIdentifierPart(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == ":" }
        while index < characters.count {
            let c = characters[index]
            if c == "\"" || c == "'" || c == "`" {
                index += 1
                while index < characters.count && characters[index] != c {
                    if characters[index] == "\\" && c != "`" { index += 1 }
                    index += 1
                }
                index += 1
                tokens.append(.other)
            } else if c == "{" {
                var depth = 0
                var inner = ""
                var quote: Character?
                while index < characters.count {
                    let d = characters[index]
                    if let open = quote {
                        if d == "\\" && index + 1 < characters.count {
                            inner.append(d)
                            index += 1
                            inner.append(characters[index])
                            index += 1
                            continue
                        }
                        if d == open { quote = nil }
                        inner.append(d)
                    } else if d == "\"" || d == "'" || d == "`" {
                        quote = d
                        inner.append(d)
                    } else if d == "{" {
                        depth += 1
                        if depth > 1 { inner.append(d) }
                    } else if d == "}" {
                        depth -= 1
                        if depth == 0 { break }
                        inner.append(d)
                    } else {
                        inner.append(d)
                    }
                    index += 1
                }
                index += 1
                tokens.append(.braces(inner.trimmingCharacters(in: .whitespacesAndNewlines)))
            } else if c == "[" {
                while index < characters.count && characters[index] != "]" { index += 1 }
                index += 1
                tokens.append(.other)
            } else if c == "(" {
                tokens.append(.open)
                index += 1
            } else if c == "$" {
                // A Grafana variable outside matchers and ranges ($__interval in a scalar): skip it.
                index += 1
                while index < characters.count && (isIdentifierPart(characters[index]) || characters[index] == "{" || characters[index] == "}") {
                    index += 1
                }
                tokens.append(.other)
            } else if c.isNumber || (c == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
                // Numbers, durations (5m), hex and exponents: digits, letters and dots.
                while index < characters.count && (characters[index].isLetter || characters[index].isNumber || characters[index] == ".") {
                    index += 1
                }
                tokens.append(.other)
            } else if isIdentifierStart(c) {
                var word = ""
                while index < characters.count && isIdentifierPart(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                tokens.append(.identifier(word))
            } else if c.isWhitespace {
                index += 1
            } else {
                tokens.append(c == ")" ? .close : .other)
                index += 1
            }
        }
        return tokens
    }
}
