/// Small lexical helpers for HTTP header field values (RFC 9110 §5.6): lists, parameters,
/// quoted strings, tokens and quality values.
enum HeaderLexer {
    /// Splits `text` on `separator`, ignoring separators inside quoted strings.
    static func split(_ text: Substring, on separator: Character) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var inQuotes = false
        while index < text.endIndex {
            let character = text[index]
            if inQuotes {
                if character == "\\" {
                    index = text.index(after: index)
                    if index == text.endIndex { break }
                } else if character == "\"" {
                    inQuotes = false
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == separator {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start..<text.endIndex])
        return parts
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
              let last = text.lastIndex(where: { !isBlank($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// Parses `name=value` (value a token or a quoted string); the name comes back lower-cased,
    /// the value unquoted.
    static func parameter(_ text: Substring) -> (name: String, value: String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let name = trimmed(text[..<equals])
        guard isToken(name) else { return nil }
        var value = trimmed(text[text.index(after: equals)...])
        if value.first == "\"" {
            guard value.count >= 2, value.last == "\"" else { return nil }
            value = value.dropFirst().dropLast()
            var unquoted = ""
            var escaped = false
            for character in value {
                if !escaped && character == "\\" {
                    escaped = true
                } else {
                    unquoted.append(character)
                    escaped = false
                }
            }
            return (name.lowercased(), unquoted)
        }
        guard isToken(value) else { return nil }
        return (name.lowercased(), String(value))
    }

    /// Parses a quality value (`q=`). Accepts the RFC form (`0`, `0.5`, `1.000`) and, leniently, any
    /// decimal in `0...1` such as `.2`; anything else is `nil`.
    static func quality(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 16,
              text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let weight = Double(text), (0...1).contains(weight)
        else { return nil }
        return weight
    }

    /// Whether `text` is a non-empty RFC 9110 token.
    static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
