import ArgumentParser
import Backfill
import FoundationEssentials
import Logging
import PostgresClient
import UnixSignals

/// `chat-exporter backfill`: creates the chat rooms the booking triggers missed, like the old
/// `verify-chat-creation.sh --backfill` and its 30-minute timer, but safely beside the trigger and itself.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Create the chat rooms the booking triggers missed, exactly as the trigger would have.",
        discussion: """
            For every active booking (status 'active', booking and lesson live) whose pair (lesson teacher, \
            student; never a teacher with themselves) has no room at all, inserts the room with \
            ON CONFLICT (teacher_id, student_id) DO NOTHING, in short batches: safe beside the live trigger and \
            beside another backfill. A pair whose only room is soft-deleted is blocked: reported and left alone \
            unless --restore-deleted undeletes the room. Writes, so it needs a role that may: the chat_backfill \
            role of deploy/sql/role.sql (the exporter's chat_exporter role is read-only). Connection settings as \
            for the exporter (DATA_SOURCE_NAME, DATABASE_URL, DB_*, --database.password-file).
            SIGTERM, SIGINT or SIGHUP stops it after the batch in flight (committed; each room is logged as its batch \
            commits) and prints the summary; a second one cancels the batch in flight, which rolls back. A dry \
            run stops at the first.
            Exit status: 0 nothing left without a live room, 1 something remains (blocked pairs not restored, \
            unless --allow-blocked; --limit reached), 2 cannot connect, bad configuration, permission denied, \
            a standby, missing unique constraint or a failed batch, 64 a flag or value that can never work, \
            128 + the signal when interrupted (143 SIGTERM, 130 SIGINT, 129 SIGHUP). A dry run exits as the real \
            run with the same flags would: 1 when it would do anything, 2 (after listing) where it would refuse \
            to start.
            """
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Flag(name: .customLong("dry-run"), help: "List the pairs a run would create rooms for, and the blocked ones; change nothing (read-only session).")
    var dryRun = false

    @Option(name: .customLong("batch-size"), help: "Pairs per batch; each batch is one short transaction.")
    var batchSize = 500

    @Option(help: ArgumentHelp("Make at most this many rooms live (created, plus restored with --restore-deleted), then stop.", valueName: "n"))
    var limit: Int?

    @Flag(name: .customLong("restore-deleted"), help: "Undelete the soft-deleted rooms that block pairs with an active booking and no live room.")
    var restoreDeleted = false

    @Flag(name: .customLong("allow-blocked"), help: "Exit 0 although pairs blocked by a soft-deleted room remain (they are still reported): for scheduled runs, where they wait for a person's decision.")
    var allowBlocked = false

    @Option(help: "Report format: text or json.")
    var output: Output = .text

    @Option(name: .customLong("statement-timeout"), help: "The server-side timeout of each statement (each batch).")
    var statementTimeout = DurationArgument(argument: "1m")!

    @OptionGroup(title: "Database") var database: DatabaseOptions
    @OptionGroup(title: "Logging") var logging: LoggingOptions

    private var options: BackfillOptions {
        var options = BackfillOptions()
        options.batchSize = batchSize
        options.limit = limit
        options.dryRun = dryRun
        options.restoreDeleted = restoreDeleted
        options.allowBlocked = allowBlocked
        options.statementTimeout = statementTimeout.duration
        options.lockTimeout = database.session.lockTimeout
        return options
    }

    /// A value that can never work is a usage error (exit 64), as for every other command's flags.
    func validate() throws {
        if let problem = options.problem {
            throw ValidationError(problem)
        }
    }

    func run() async throws {
        let logger = logging.makeLogger(label: "chat-exporter-backfill")
        let options = options

        let settings: ConnectionSettings
        do {
            settings = try database.connectionSettings()
        } catch {
            fail("\(error)", kind: "configuration")
        }
        var session = database.session
        session.applicationName = "chat-exporter-backfill"
        session.readOnly = dryRun  // the exporter never writes; a real backfill must
        var poolConfiguration = database.pool
        poolConfiguration.maxConnections = 1  // one statement at a time
        poolConfiguration.onNotice = logger.noticeHandler()
        let pool = ConnectionPool(settings: settings, session: session, configuration: poolConfiguration)
        let target = settings.target

        logger.info(dryRun ? "backfill dry run" : "backfill starting", metadata: [
            "database": "\(target)", "batch_size": .stringConvertible(batchSize), "limit": "\(limit.map(String.init) ?? "none")",
            "restore_deleted": .stringConvertible(restoreDeleted),
        ])
        let progress = ProgressReporter(logger: logger, onTerminal: StandardStream.error.isTerminal && logging.level != .debug)
        // Trapped before the first statement, so that no signal finds the default action (death mid-batch).
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        let stop = BackfillStop()
        let backfill = Backfill(pool: pool, options: options)
        let work = Task { () async -> Result<BackfillSummary, BackfillError> in
            do throws(BackfillError) {
                return .success(try await backfill.run(stop: stop) { event in progress.handle(event) })
            } catch {
                return .failure(error)
            }
        }
        let watcher = Task {
            await BackfillSignalWatcher(stop: stop, work: work, cancelAtOnce: dryRun, progress: progress).watch(signals)
        }
        let outcome = await work.value
        watcher.cancel()
        progress.finish()
        let connectedTarget = await pool.connectedTarget
        await pool.shutdown()

        let summary: BackfillSummary
        switch outcome {
        case .success(let finished):
            summary = finished
        case .failure(let error):
            logger.error(error.kind == .interrupted ? "backfill interrupted" : "backfill failed", metadata: [
                "err": "\(error.message)", "kind": "\(error.kind.rawValue)",
            ])
            if let partial = error.partial, partial.created + partial.restored > 0 {
                logger.error("before the failure", metadata: [
                    "created": .stringConvertible(partial.created), "already_present": .stringConvertible(partial.alreadyPresent), "restored": .stringConvertible(partial.restored),
                ])
            }
            let interruption = error.kind == .interrupted ? stop.requested : nil
            fail(error.message, kind: error.kind.rawValue, partial: error.partial, interruption: interruption)
        }

        let counts: Logger.Metadata = [
            "created": .stringConvertible(summary.created), "already_present": .stringConvertible(summary.alreadyPresent), "restored": .stringConvertible(summary.restored),
            "blocked": .stringConvertible(summary.blocked), "remaining_missing": .stringConvertible(summary.remainingMissing), "limit_reached": .stringConvertible(summary.limitReached),
        ]
        if let interruption = summary.interruption {
            logger.warning("backfill interrupted", metadata: counts.merging(["signal": "\(interruption.reason)"]) { $1 })
        } else {
            if let late = stop.requested {
                // The signal came after the last batch (during the final count): nothing was left to stop.
                logger.info("the run had done its last batch when the signal came: it is complete", metadata: ["signal": "\(late.reason)"])
            }
            logger.info(dryRun ? "dry run finished" : "backfill finished", metadata: counts)
        }

        switch output {
        case .json:
            try StandardStream.output.writeJSON(summary)
        case .text:
            StandardStream.output.write(BackfillReport.text(summary, target: connectedTarget ?? target, restoreDeleted: restoreDeleted))
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    /// Prints the reason to stderr (and, with `--output json`, an error object to stdout) and exits 2, or 128 + the
    /// signal for a run a signal cancelled (`interruption`).
    private func fail(_ message: String, kind: String, partial: BackfillSummary? = nil, interruption: BackfillStop.Request? = nil) -> Never {
        StandardStream.error.write("chat-exporter backfill: \(message)\n")
        let exitCode = interruption?.exitCode ?? 2
        if output == .json {
            struct Failure: Encodable {
                let error: String
                let kind: String
                /// The signal that cancelled the run, as in the summary's `interrupted`; null otherwise.
                let interrupted: String?
                let exitCode: Int32
                let created: Int
                let alreadyPresent: Int
                let restored: Int
                enum CodingKeys: String, CodingKey {
                    case error, kind, interrupted, exitCode = "exit_code", created, alreadyPresent = "already_present", restored
                }
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(error, forKey: .error)
                    try container.encode(kind, forKey: .kind)
                    try container.encode(interrupted, forKey: .interrupted)
                    try container.encode(exitCode, forKey: .exitCode)
                    try container.encode(created, forKey: .created)
                    try container.encode(alreadyPresent, forKey: .alreadyPresent)
                    try container.encode(restored, forKey: .restored)
                }
            }
            let failure = Failure(
                error: message, kind: kind, interrupted: interruption?.reason, exitCode: exitCode, created: partial?.created ?? 0,
                alreadyPresent: partial?.alreadyPresent ?? 0, restored: partial?.restored ?? 0)
            try? StandardStream.output.writeJSON(failure)
        }
        Self.exit(withError: ExitCode(exitCode))
    }
}
