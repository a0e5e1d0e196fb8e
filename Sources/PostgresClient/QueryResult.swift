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

    /// Converts a cell of this column to a `Double`. Booleans become 1 and 0; `NaN` and `±Infinity` are kept.
    /// Returns nil when the text is not a number.
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
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return nil  // reject "nan", "inf" spelled by a text column: only the server's own numeric spellings count
        }
        return Double(text)
    }
}
