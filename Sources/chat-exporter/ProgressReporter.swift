import Backfill
import Logging
import Synchronization

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
            logger.info("census", metadata: ["missing": .stringConvertible(missing), "blocked": .stringConvertible(blocked), "role": "\(role)"])
        case let .retrying(attempt, error):
            clearLine()
            logger.warning("batch lost a conflict, retrying", metadata: ["attempt": .stringConvertible(attempt), "err": "\(error)"])
        case let .takenApart(pairs, error):
            clearLine()
            logger.warning("batch met a lock held by another transaction, making its pairs one at a time", metadata: [
                "pairs": .stringConvertible(pairs), "err": "\(error)",
            ])
        case let .setAside(pair, error):
            clearLine()
            logger.warning("pair set aside: its room, or chat_rooms, stayed locked past the lock timeout", metadata: [
                "teacher_id": "\(pair.teacherID)", "student_id": "\(pair.studentID)", "err": "\(error)",
            ])
        case let .lockedOut(pairs):
            clearLine()
            logger.warning("stopped creating: several pairs in a row stayed locked, chat_rooms looks locked as a whole", metadata: [
                "pairs": .stringConvertible(pairs),
            ])
        case let .progress(progress):
            // Each room as its batch commits: a run killed later has still logged every room it made.
            if !progress.madeLive.isEmpty { clearLine() }
            let message: Logger.Message = progress.phase == .creating ? "created room" : "restored room"
            for room in progress.madeLive {
                logger.info(message, metadata: ["room_id": "\(room.id)", "teacher_id": "\(room.teacherID)", "student_id": "\(room.studentID)"])
            }
            if onTerminal {
                draw(progress)
            } else {
                logger.info("batch done", metadata: [
                    "phase": "\(progress.phase.rawValue)", "done": .stringConvertible(progress.done), "total": .stringConvertible(progress.total),
                    "created": .stringConvertible(progress.created), "already_present": .stringConvertible(progress.alreadyPresent), "restored": .stringConvertible(progress.restored),
                ])
            }
        }
    }

    /// Logs a warning on a line of its own (the bar, if drawn, is redrawn by the next batch).
    func warning(_ message: Logger.Message, metadata: Logger.Metadata) {
        clearLine()
        logger.warning(message, metadata: metadata)
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
