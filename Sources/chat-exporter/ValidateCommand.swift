import ArgumentParser
import CollectorConfig
import FoundationEssentials

/// `chat-exporter validate --config.file F`: checks a collectors file and exits 0 (valid) or 1 (not).
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a collectors file and exit 0 when it is valid, 1 when it is not."
    )

    @Option(name: .customLong("config.file"), help: ArgumentHelp("The collectors file to check; without it, the embedded defaults are checked.", valueName: "path"))
    var configFile: String?

    func run() throws {
        let source = CollectorsSource(path: configFile)
        do {
            let file = try source.load()
            let metrics = Set(file.collectors.flatMap { $0.metrics.map(\.name) })
            print("\(source.displayName): OK (\(file.collectors.count) collectors, \(metrics.count) metrics)")
        } catch {
            StandardStream.error.write("\(error)\n")
            throw ExitCode(1)
        }
    }
}
