import ArgumentParser
import Logging

/// `--log.level` and `--log.format`, as the Prometheus exporters spell them.
struct LoggingOptions: ParsableArguments {
    enum Level: String, ExpressibleByArgument, CaseIterable {
        case debug, info, warn, error
        var loggerLevel: Logger.Level {
            switch self {
            case .debug: .debug
            case .info: .info
            case .warn: .warning
            case .error: .error
            }
        }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case logfmt, json
    }

    @Option(name: .customLong("log.level"), help: "Only log messages with the given severity or above: debug, info, warn, error.")
    var level: Level = .info

    @Option(name: .customLong("log.format"), help: "Output format of log messages: logfmt or json.")
    var format: Format = .logfmt

    /// A logger writing to stderr in the chosen format.
    func makeLogger(label: String = "chat-exporter") -> Logger {
        let format = format
        let level = level.loggerLevel
        return Logger(label: label) { _ in
            StderrLogHandler(format: format == .json ? .json : .logfmt, logLevel: level)
        }
    }
}
