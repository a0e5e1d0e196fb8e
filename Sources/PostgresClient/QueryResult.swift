/// The rows of one statement, as Swift values. Cells are the server's text form; `nil` is SQL NULL.
public struct QueryResult: Sendable {
    public struct Column: Sendable, Hashable {
        public let name: String
        /// The PostgreSQL type OID of the column.
        public let typeOID: UInt32

        public init(name: String, typeOID: UInt32) {
            self.name = name
            self.typeOID = typeOID
        }
    }

    public let columns: [Column]
    public let rows: [[String?]]
    /// The command tag, for example `SELECT 3`.
    public let commandTag: String

    public init(columns: [Column], rows: [[String?]], commandTag: String) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }

    /// The index of the column with this name, if the result has one.
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }
}

extension QueryResult.Column {
    /// Whether the column's type is one whose text form is a number (or a boolean).
    public var isNumeric: Bool {
        switch typeOID {
        case 16, 20, 21, 23, 26, 700, 701, 1700: true  // bool, int8, int2, int4, oid, float4, float8, numeric
        default: false
        }
    }

    /// Converts a cell of this column to a `Double`. Booleans become 1 and 0; the server's `NaN` and `±Infinity` are
    /// kept. Returns nil when the text is not a decimal number (`[+-]digits[.digits][e[+-]digits]`: no hexadecimal,
    /// no `inf` or `nan` spelled by a text column) or lies beyond a `Double`'s range (a `numeric` of 10^400), which
    /// would otherwise be served as `+Inf`.
    public func double(from text: String) -> Double? {
        if typeOID == 16 {
            switch text {
            case "t": return 1
            case "f": return 0
            default: return nil
            }
        }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        guard Self.isDecimalNumber(text), let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Whether `text` is `[+-]?(digits(.digits?)?|.digits)([eE][+-]?digits)?`.
    static func isDecimalNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9") }
        func skipDigits() -> Int {
            let start = index
            while isDigit(index) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        var digits = skipDigits()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            digits += skipDigits()
        }
        guard digits > 0 else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { return false }
        }
        return index == bytes.count
    }
}
