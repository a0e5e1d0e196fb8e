import ArgumentParser
import ChatCheck
import CollectorConfig
import ExporterCore
import FoundationEssentials
import PostgresClient

/// `chat-exporter check`: runs every collector once and reports, like the old `verify-chat-creation.sh --check-only`.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run every collector once and report on the chat-creation system.",
        discussion: "Exits 0 when healthy (warnings allowed), 1 when a problem was found, 2 when the database cannot be reached or checked (a role without the grants, a database without the platform's tables) or the configuration is bad. Colour only on a terminal, never with NO_COLOR."
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .customLong("config.file"), help: ArgumentHelp("The collectors file; without it, the embedded defaults.", valueName: "path"))
    var configFile: String?

    @Option(help: "Report format: text or json.")
    var output: Output = .text

    @Option(name: .customLong("grace-period"), help: "Active bookings without a room whose booking was created longer ago than this are a problem; younger ones a warning.")
    var gracePeriod = DurationArgument(argument: "5m")!

    @OptionGroup(title: "Database") var database: DatabaseOptions

    func run() async throws {
        let collectors: CollectorsFile
        let settings: ConnectionSettings
        do {
            collectors = try CollectorsSource(path: configFile).load()
            settings = try database.connectionSettings()
        } catch {
            StandardStream.error.write("chat-exporter check: \(error)\n")
            if output == .json {
                // A script reading stdout gets an answer here too, in the report's own terms.
                struct Failure: Encodable {
                    let healthy = false
                    let exitCode = 2
                    let error: String
                    let kind = "configuration"
                    enum CodingKeys: String, CodingKey { case healthy, exitCode = "exit_code", error, kind }
                }
                try? StandardStream.output.writeJSON(Failure(error: "\(error)"))
            }
            throw ExitCode(2)
        }
        let pool = ConnectionPool(settings: settings, session: database.session, configuration: database.pool)
        let runs = await CollectorRun.executeAll(collectors.collectors, on: pool, concurrency: database.maxConnections)
        let target = await pool.connectedTarget ?? settings.target
        await pool.shutdown()

        var thresholds = CheckReport.Thresholds()
        thresholds.gracePeriod = gracePeriod.duration
        // A collector of the user's own (or a changed default) may read columns role.sql does not grant.
        let defaults = (try? CollectorsFileLoader.loadDefaultCollectors().collectors) ?? []
        let shipped = Set(collectors.collectors.filter { collector in
            defaults.contains { $0.name == collector.name && $0.sql == collector.sql }
        }.map(\.name))
        let report = CheckReport(target: target, runs: runs, thresholds: thresholds, shipped: shipped)
        switch output {
        case .json:
            try StandardStream.output.writeJSON(report)
        case .text:
            let environment = ProcessInfo.processInfo.environment
            let colored = StandardStream.output.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
            StandardStream.output.write(report.text(colored: colored))
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
