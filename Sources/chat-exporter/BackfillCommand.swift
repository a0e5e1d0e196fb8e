import ArgumentParser
import Backfill
import FoundationEssentials
import Logging
import PostgresClient
import Synchronization

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
            Exit status: 0 nothing left without a live room, 1 something remains (blocked pairs not restored, \
            unless --allow-blocked; --limit reached; or on a dry run anything a run would do), 2 cannot connect, \
            bad configuration, permission denied, missing unique constraint or a failed batch.
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

    func run() async throws {
        let logger = logging.makeLogger(label: "chat-exporter-backfill")
        var options = BackfillOptions()
        options.batchSize = batchSize
        options.limit = limit
        options.dryRun = dryRun
        options.restoreDeleted = restoreDeleted
        options.allowBlocked = allowBlocked
        options.statementTimeout = statementTimeout.duration
        if let problem = options.problem {
            fail(problem, kind: "configuration")
        }

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
        let pool = ConnectionPool(settings: settings, session: session, configuration: poolConfiguration)
        let target = settings.target

        logger.info(dryRun ? "backfill dry run" : "backfill starting", metadata: [
            "database": "\(target)", "batch_size": "\(batchSize)", "limit": "\(limit.map(String.init) ?? "none")",
            "restore_deleted": "\(restoreDeleted)",
        ])
        let progress = ProgressReporter(logger: logger, onTerminal: StandardStream.error.isTerminal && logging.level != .debug)
        let summary: BackfillSummary
        do {
            summary = try await Backfill(pool: pool, options: options).run { event in progress.handle(event) }
        } catch {
            progress.finish()
            await pool.shutdown()
            logger.error("backfill failed", metadata: ["err": "\(error.message)", "kind": "\(error.kind.rawValue)"])
            if let partial = error.partial, partial.created + partial.restored > 0 {
                logger.error("before the failure", metadata: [
                    "created": "\(partial.created)", "already_present": "\(partial.alreadyPresent)", "restored": "\(partial.restored)",
                ])
            }
            fail(error.message, kind: error.kind.rawValue, partial: error.partial)
        }
        progress.finish()
        await pool.shutdown()

        for room in summary.createdRooms {
            logger.info("created room", metadata: ["room_id": "\(room.id)", "teacher_id": "\(room.teacherID)", "student_id": "\(room.studentID)"])
        }
        for room in summary.restoredRooms {
            logger.info("restored room", metadata: ["room_id": "\(room.id)", "teacher_id": "\(room.teacherID)", "student_id": "\(room.studentID)"])
        }
        logger.info(dryRun ? "dry run finished" : "backfill finished", metadata: [
            "created": "\(summary.created)", "already_present": "\(summary.alreadyPresent)", "restored": "\(summary.restored)",
            "blocked": "\(summary.blocked)", "remaining_missing": "\(summary.remainingMissing)", "limit_reached": "\(summary.limitReached)",
        ])

        switch output {
        case .json:
            try StandardStream.output.writeJSON(summary)
        case .text:
            StandardStream.output.write(BackfillReport.text(summary, target: target, restoreDeleted: restoreDeleted))
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    /// Prints the reason to stderr (and, with `--output json`, an error object to stdout) and exits 2.
    private func fail(_ message: String, kind: String, partial: BackfillSummary? = nil) -> Never {
        StandardStream.error.write("chat-exporter backfill: \(message)\n")
        if output == .json {
            struct Failure: Encodable {
                let error: String
                let kind: String
                let exitCode = 2
                let created: Int
                let alreadyPresent: Int
                let restored: Int
                enum CodingKeys: String, CodingKey {
                    case error, kind, exitCode = "exit_code", created, alreadyPresent = "already_present", restored
                }
            }
            let failure = Failure(
                error: message, kind: kind, created: partial?.created ?? 0,
                alreadyPresent: partial?.alreadyPresent ?? 0, restored: partial?.restored ?? 0)
            try? StandardStream.output.writeJSON(failure)
        }
        Self.exit(withError: ExitCode(2))
    }
}

/// The text form of a backfill summary.
enum BackfillReport {
    static func text(_ summary: BackfillSummary, target: ConnectionTarget, restoreDeleted: Bool) -> String {
        var lines: [String] = []
        let place = "\(target.host):\(target.port)/\(target.database) as \(summary.role)"
        func pad(_ number: Int) -> String {
            let text = String(number)
            return String(repeating: " ", count: max(0, 7 - text.count)) + text
        }
        if summary.dryRun {
            lines.append("Backfill dry run against \(place): nothing was changed.")
            lines.append("")
            let restoreNote = restoreDeleted ? "" : " (left alone without --restore-deleted)"
            lines.append("Would create \(summary.missingAtStart) room\(summary.missingAtStart == 1 ? "" : "s"):")
            for pair in summary.wouldCreate {
                lines.append("  teacher \(pair.teacherID)  student \(pair.studentID)  \(pair.activeBookings) active booking\(pair.activeBookings == 1 ? "" : "s") since \(pair.oldestBookingCreatedAt ?? "?")")
            }
            if summary.wouldCreate.count < summary.missingAtStart {
                lines.append("  … and \(summary.missingAtStart - summary.wouldCreate.count) more")
            }
            lines.append("\(restoreDeleted ? "Would restore" : "Blocked by a soft-deleted room") (\(summary.blockedAtStart))\(restoreNote):")
            for pair in summary.blockedPairs {
                lines.append("  teacher \(pair.teacherID)  student \(pair.studentID)  room \(pair.roomID) deleted at \(pair.deletedAt ?? "?")")
            }
            if !summary.canWrite {
                lines.append("")
                lines.append("Note: the role \(summary.role) may not write chat_rooms: a real run needs the backfill role from deploy/sql/role.sql (chat_backfill).")
            }
            lines.append("")
            if summary.exitCode == 0 {
                lines.append("✓ Nothing to do: every active booking has a live chat room.")
            } else {
                lines.append("✗ \(summary.missingAtStart) missing, \(summary.blockedAtStart) blocked.")
            }
            return lines.joined(separator: "\n") + "\n"
        }

        lines.append("Backfill against \(place):")
        lines.append("  created          \(pad(summary.created))  rooms that were missing, now created as the trigger would have")
        lines.append("  already present  \(pad(summary.alreadyPresent))  made meanwhile by the trigger or another backfill (skipped by ON CONFLICT)")
        if restoreDeleted || summary.restored > 0 {
            lines.append("  restored         \(pad(summary.restored))  soft-deleted rooms undeleted (--restore-deleted)")
        }
        if summary.alreadyRestored > 0 {
            lines.append("  already restored \(pad(summary.alreadyRestored))  undeleted meanwhile by another backfill")
        }
        let blockedHelp = restoreDeleted ? "pairs still blocked by a soft-deleted room" : "pairs blocked by a soft-deleted room, left alone (--restore-deleted undeletes them)"
        lines.append("  blocked          \(pad(summary.blocked))  \(blockedHelp)")
        lines.append("  still missing    \(pad(summary.remainingMissing))  pairs without any room now\(summary.limitReached ? " (--limit reached)" : "")")
        if !summary.blockedPairs.isEmpty {
            lines.append("")
            lines.append("Blocked pairs:")
            for pair in summary.blockedPairs {
                lines.append("  teacher \(pair.teacherID)  student \(pair.studentID)  room \(pair.roomID) deleted at \(pair.deletedAt ?? "?")")
            }
        }
        lines.append("")
        if summary.exitCode == 0, summary.blocked > 0 {
            lines.append("✓ Nothing left to create; \(summary.blocked) blocked by a soft-deleted room, left for a person (--allow-blocked).")
        } else if summary.exitCode == 0 {
            lines.append("✓ Every active booking has a live chat room.")
        } else {
            var reasons: [String] = []
            if summary.remainingMissing > 0 { reasons.append("\(summary.remainingMissing) missing\(summary.limitReached ? " (--limit reached)" : "")") }
            if summary.blocked > 0 { reasons.append("\(summary.blocked) blocked by a soft-deleted room") }
            lines.append("✗ Something remains: \(reasons.joined(separator: ", ")).")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Shows a backfill's progress: a bar redrawn in place on a terminal, plain log lines otherwise.
final class ProgressReporter: Sendable {
    private let logger: Logger
    private let onTerminal: Bool
    private let drawn = Mutex(false)

    init(logger: Logger, onTerminal: Bool) {
        self.logger = logger
        self.onTerminal = onTerminal
    }

    func handle(_ event: BackfillEvent) {
        switch event {
        case let .started(missing, blocked, role):
            logger.info("census", metadata: ["missing": "\(missing)", "blocked": "\(blocked)", "role": "\(role)"])
        case let .retrying(attempt, error):
            clearLine()
            logger.warning("batch lost a conflict, retrying", metadata: ["attempt": "\(attempt)", "err": "\(error)"])
        case let .progress(progress):
            if onTerminal {
                draw(progress)
            } else {
                logger.info("batch done", metadata: [
                    "phase": "\(progress.phase.rawValue)", "done": "\(progress.done)", "total": "\(progress.total)",
                    "created": "\(progress.created)", "already_present": "\(progress.alreadyPresent)", "restored": "\(progress.restored)",
                ])
            }
        }
    }

    /// Ends the bar's line, if one was drawn.
    func finish() {
        drawn.withLock { drawn in
            if drawn { Self.write("\n") }
            drawn = false
        }
    }

    private func clearLine() {
        drawn.withLock { drawn in
            if drawn { Self.write("\r\u{1B}[K") }
            drawn = false
        }
    }

    private func draw(_ progress: BackfillProgress) {
        let width = 30
        let fraction = progress.total > 0 ? min(1, Double(progress.done) / Double(progress.total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = Int((fraction * 100).rounded(.down))
        let line = "\r\u{1B}[K\(progress.phase.rawValue) [\(bar)] \(percent)% \(progress.done)/\(progress.total) pairs"
            + "  created \(progress.created)  already present \(progress.alreadyPresent)"
            + (progress.restored > 0 || progress.phase == .restoring ? "  restored \(progress.restored)" : "")
        drawn.withLock { drawn in
            Self.write(line)
            drawn = true
        }
    }

    private static func write(_ text: String) {
        StandardStream.error.write(text)
    }
}
