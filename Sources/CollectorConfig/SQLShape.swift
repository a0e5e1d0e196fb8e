/// What `validate` can tell about a collector's SQL without a database: the positional parameters it uses
/// (`$1`, `$2`, …) and whether it holds more than one statement. Strings (`'…'`, `E'…'`), quoted identifiers,
/// dollar-quoted bodies (`$$…$$`, `$tag$…$tag$`) and comments (`--`, nested `/* */`) are skipped, so a `$1` or a
/// `;` inside them counts for nothing.
struct SQLShape: Equatable {
    /// The numbers of the `$N` placeholders, each once.
    var placeholders: Set<Int> = []
    /// Whether something other than white space and comments follows a `;` outside quotes.
    var hasSeveralStatements = false

    init(_ sql: String) {
        let bytes = Array(sql.utf8)
        var index = 0
        var endedStatement = false
        func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        func isIdentifier(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
        /// Skips to just past the closing `quote`; a doubled quote is part of the text, and `\` escapes with `backslashes`.
        func skipQuoted(_ quote: UInt8, backslashes: Bool) {
            index += 1
            while index < bytes.count {
                if backslashes && bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
                if bytes[index] == quote {
                    if at(1) == quote { index += 2; continue }
                    index += 1
                    return
                }
                index += 1
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            let startsSomething: Bool
            switch byte {
            case UInt8(ascii: "-") where at(1) == UInt8(ascii: "-"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "/") where at(1) == UInt8(ascii: "*"):
                var depth = 0
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "/") && at(1) == UInt8(ascii: "*") { depth += 1; index += 2; continue }
                    if bytes[index] == UInt8(ascii: "*") && at(1) == UInt8(ascii: "/") {
                        depth -= 1
                        index += 2
                        if depth == 0 { break }
                        continue
                    }
                    index += 1
                }
                continue
            case UInt8(ascii: "'"):
                let escapes = index > 0 && (bytes[index - 1] == UInt8(ascii: "E") || bytes[index - 1] == UInt8(ascii: "e"))
                    && (index < 2 || !isIdentifier(bytes[index - 2]))
                skipQuoted(byte, backslashes: escapes)
                // 'a'<newline>'b' is one constant, and an E'…' keeps its escapes in the parts that continue it.
                while true {
                    var next = index, sawNewline = false
                    while next < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[next]) {
                        if bytes[next] == 0x0A { sawNewline = true }
                        next += 1
                    }
                    guard sawNewline, next < bytes.count, bytes[next] == UInt8(ascii: "'") else { break }
                    index = next
                    skipQuoted(byte, backslashes: escapes)
                }
                startsSomething = true
            case UInt8(ascii: "\""):
                skipQuoted(byte, backslashes: false)
                startsSomething = true
            case UInt8(ascii: "$") where isDigit(at(1)) && (index == 0 || !isIdentifier(bytes[index - 1])):
                var number = 0
                index += 1
                while isDigit(at(0)) {
                    number = min(number * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1_000_000)
                    index += 1
                }
                placeholders.insert(number)
                startsSomething = true
            case UInt8(ascii: "$") where index == 0 || !isIdentifier(bytes[index - 1]):
                // A dollar quote: $$ or $tag$ (a tag is an identifier that does not start with a digit).
                var end = index + 1
                while end < bytes.count && isIdentifier(bytes[end]) && bytes[end] != UInt8(ascii: "$") { end += 1 }
                if end < bytes.count && bytes[end] == UInt8(ascii: "$") {
                    let tag = Array(bytes[index...end])
                    index = end + 1
                    while index < bytes.count && !(bytes[index] == UInt8(ascii: "$") && bytes[index...].starts(with: tag)) { index += 1 }
                    index = min(index + tag.count, bytes.count)
                } else {
                    index += 1
                }
                startsSomething = true
            case UInt8(ascii: ";"):
                endedStatement = true
                index += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0C:
                index += 1
                continue
            default:
                index += 1
                startsSomething = true
            }
            if startsSomething && endedStatement { hasSeveralStatements = true }
        }
    }
}
