import ArgumentParser
import ExporterCore

/// `chat-exporter`: serves the chat-creation metrics (the default command) and offers the operator commands.
@main
struct ChatExporter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-exporter",
        abstract: "Prometheus exporter for the chat-creation system of the tutoring platform.",
        discussion: """
            Runs SQL against the platform's PostgreSQL in the background and serves the results on /metrics.
            Connection: DATA_SOURCE_NAME, then DATA_SOURCE_URI with DATA_SOURCE_USER/DATA_SOURCE_PASS (or their
            _FILE forms), then DATABASE_URL, then DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD (libpq's PG* variables
            and service files work too).
            Every flag of the exporter: chat-exporter serve --help. The README documents them all.
            """,
        version: "chat-exporter \(BuildInfo.version) (revision \(BuildInfo.revision), Swift \(BuildInfo.swiftVersion))",
        subcommands: [ServeCommand.self, CheckCommand.self, ValidateCommand.self, BackfillCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
