extension Node {
    /// The type YAML gives a scalar: by its explicit tag (`!!int 5`), or for a plain scalar by its text, with the
    /// YAML 1.1 rules of Yams' default resolver, which this module replaces (`yes` is a boolean, `010` an octal
    /// integer; go-yaml v2 and PyYAML differ in corners such as `-.5`). Quoted scalars are strings.
    public enum Tag: Sendable, Hashable {
        case null
        case bool
        case int
        case float
        /// A string, or any tag other than the four above (a timestamp, a custom `!tag`).
        case string

        /// The tag of a scalar with explicit tag `explicit` (nil when it has none), written as `text`.
        static func of(text: String, explicit: String?, plain: Bool) -> Tag {
            switch explicit {
            case nil: return plain ? resolve(plain: text) : .string
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return .bool
            case "tag:yaml.org,2002:int": return .int
            case "tag:yaml.org,2002:float": return .float
            default: return .string
            }
        }

        /// The tag YAML 1.1 resolves for the plain scalar `text`, in the order Yams' default resolver tries.
        static func resolve(plain text: String) -> Tag {
            let scalars = Array(text.unicodeScalars)
            if Self.booleans.contains(text) { return .bool }
            if isInteger(scalars) { return .int }
            if isFloat(scalars) { return .float }
            if Self.nulls.contains(text) { return .null }
            return .string
        }

        static let booleans: Set<String> = [
            "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
            "on", "On", "ON", "off", "Off", "OFF",
        ]
        static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]

        /// `[-+]?` followed by `0b[01_]+`, `0o?[0-7_]+`, `0`, `[1-9][0-9_]*`, `0x[0-9a-fA-F_]+`, or
        /// `[1-9][0-9_]*(:[0-5]?[0-9])+` (base 60).
        static func isInteger(_ text: [Unicode.Scalar]) -> Bool {
            var body = text[...]
            if let sign = body.first, sign == "-" || sign == "+" { body = body.dropFirst() }
            guard let first = body.first else { return false }
            if first == "0" {
                let rest = body.dropFirst()
                if rest.isEmpty { return true }
                switch rest.first {
                case "b": return rest.count > 1 && rest.dropFirst().allSatisfy { "01_".unicodeScalars.contains($0) }
                case "x": return rest.count > 1 && rest.dropFirst().allSatisfy { isHexDigit($0) || $0 == "_" }
                case "o": return rest.count > 1 && rest.dropFirst().allSatisfy { isOctalDigit($0) || $0 == "_" }
                default: return rest.allSatisfy { isOctalDigit($0) || $0 == "_" }
                }
            }
            guard ("1"..."9").contains(first) else { return false }
            let groups = body.split(separator: ":", omittingEmptySubsequences: false)
            guard groups[0].allSatisfy({ isDigit($0) || $0 == "_" }) else { return false }
            return groups.dropFirst().allSatisfy(isBase60Digits)
        }

        /// The five float forms of YAML 1.1: decimal with optional fraction and exponent, `.5e+3`, base 60
        /// with a fraction, `±.inf`, `.nan`.
        static func isFloat(_ text: [Unicode.Scalar]) -> Bool {
            let string = String(String.UnicodeScalarView(text))
            if [".nan", ".NaN", ".NAN"].contains(string) { return true }
            var body = text[...]
            if let sign = body.first, sign == "-" || sign == "+" { body = body.dropFirst() }
            if [".inf", ".Inf", ".INF"].contains(String(String.UnicodeScalarView(body))) { return true }
            if body.first == ".", body.count == text.count {
                // `\.[0-9_]+([eE][-+][0-9]+)?`: no sign, the exponent's sign required.
                let (digits, exponent) = splitExponent(body.dropFirst())
                guard !digits.isEmpty, digits.allSatisfy({ isDigit($0) || $0 == "_" }) else { return false }
                guard let exponent else { return true }
                return exponent.count > 1 && (exponent.first == "-" || exponent.first == "+")
                    && exponent.dropFirst().allSatisfy(isDigit)
            }
            guard let first = body.first, isDigit(first) else { return false }
            if body.contains(":") {
                // `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`
                guard let dot = body.firstIndex(of: ".") else { return false }
                let groups = body[..<dot].split(separator: ":", omittingEmptySubsequences: false)
                return groups.count > 1 && groups[0].allSatisfy({ isDigit($0) || $0 == "_" })
                    && groups.dropFirst().allSatisfy(isBase60Digits)
                    && body[body.index(after: dot)...].allSatisfy { isDigit($0) || $0 == "_" }
            }
            // `[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?`
            let (mantissa, exponent) = splitExponent(body)
            let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0].allSatisfy({ isDigit($0) || $0 == "_" }) else { return false }
            if parts.count == 2, !parts[1].allSatisfy({ isDigit($0) || $0 == "_" }) { return false }
            guard let exponent else { return true }
            var digits = exponent[...]
            if let sign = digits.first, sign == "-" || sign == "+" { digits = digits.dropFirst() }
            return !digits.isEmpty && digits.allSatisfy(isDigit)
        }

        /// `text` split at its first `e` or `E`: the part before, and the part after (nil without one).
        static func splitExponent(_ text: ArraySlice<Unicode.Scalar>) -> (ArraySlice<Unicode.Scalar>, ArraySlice<Unicode.Scalar>?) {
            guard let index = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return (text, nil) }
            return (text[..<index], text[text.index(after: index)...])
        }

        /// `[0-5]?[0-9]`
        static func isBase60Digits(_ group: ArraySlice<Unicode.Scalar>) -> Bool {
            switch group.count {
            case 1: return isDigit(group[group.startIndex])
            case 2: return ("0"..."5").contains(group[group.startIndex]) && isDigit(group[group.startIndex + 1])
            default: return false
            }
        }

        static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
        static func isOctalDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."7").contains(scalar) }
        static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
            isDigit(scalar) || ("a"..."f").contains(scalar) || ("A"..."F").contains(scalar)
        }
    }
}
