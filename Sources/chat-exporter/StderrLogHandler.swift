import ExporterCore
import FoundationEssentials
import Logging
import Synchronization

/// A log handler that writes one line per message to stderr, as logfmt or JSON — the formats Prometheus
/// exporters use (`ts=… level=… msg=… key=value`). A small value type, as swift-log asks of handlers.
struct StderrLogHandler: LogHandler {
    enum Format: Sendable { case logfmt, json }

    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(format: Format, logLevel: Logger.Level) {
        self.format = format
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// A field's value: text, or (a number or a boolean given as `.stringConvertible`) a JSON literal, which the
    /// JSON format writes bare so that log pipelines can compare and sum it; logfmt writes both the same way.
    enum FieldValue {
        case text(String)
        case literal(String)

        var text: String {
            switch self {
            case .text(let text), .literal(let text): text
            }
        }
    }

    func log(event: LogEvent) {
        var fields: [(String, FieldValue)] = [
            ("ts", .text(Self.timestamp())),
            ("level", .text(Self.levelName(event.level))),
            ("msg", .text(event.message.description)),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() {
            fields.append((key, Self.fieldValue(merged[key]!)))
        }
        let line = switch format {
        case .logfmt: Self.logfmt(fields.map { ($0.0, $0.1.text) })
        case .json: Self.json(fields)
        }
        Self.write(line + "\n")
    }

    static func fieldValue(_ value: Logger.MetadataValue) -> FieldValue {
        guard case .stringConvertible(let convertible) = value else { return .text("\(value)") }
        switch convertible {
        case let bool as Bool: return .literal(bool ? "true" : "false")
        case let integer as any BinaryInteger: return .literal("\(integer)")
        case let double as Double where double.isFinite: return .literal("\(double)")
        default: return .text(convertible.description)
        }
    }

    private static let writeLock = Mutex(())

    private static func write(_ line: String) {
        writeLock.withLock { _ in StandardStream.error.write(line) }
    }

    private static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    private static func timestamp() -> String {
        TextFormatting.now()
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline || $0 == "\\" }
            guard needsQuotes else { return "\(key)=\(value)" }
            return "\(key)=\"\(escape(value))\""
        }.joined(separator: " ")
    }

    static func json(_ fields: [(String, FieldValue)]) -> String {
        "{" + fields.map { key, value in
            switch value {
            case .text(let text): "\"\(escape(key))\":\"\(escape(text))\""
            case .literal(let literal): "\"\(escape(key))\":\(literal)"
            }
        }.joined(separator: ",") + "}"
    }

    private static func escape(_ value: String) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}
