public import PostgresClient

/// What a running backfill reports as it goes (for a progress bar or log lines).
public enum BackfillEvent: Sendable {
    /// The counts before anything changed.
    case started(missing: Int, blocked: Int, role: String)
    /// A batch finished.
    case progress(BackfillProgress)
    /// A batch lost a deadlock, a serialization conflict or its lock wait and is tried again.
    case retrying(attempt: Int, error: PostgresError)
    /// A batch of creations met a lock held by another transaction and is now made pair by pair.
    case takenApart(pairs: Int, error: PostgresError)
    /// Another transaction held this pair's room (or the table) past the lock timeout: the pair is left for a later run.
    case setAside(TeacherStudentPair, error: PostgresError)
    /// Several pairs in a row were set aside: chat_rooms looks locked as a whole, and the run stops creating.
    case lockedOut(pairs: Int)
}

/// Where a run stands after a batch.
public struct BackfillProgress: Sendable, Hashable {
    public enum Phase: String, Sendable { case creating, restoring }
    public let phase: Phase
    /// Candidate pairs handled so far in this phase (created, already present, restored...).
    public let done: Int
    /// What this phase expected to handle when it started (the census, capped by the limit); it can be
    /// passed when new pairs appear while the run goes on.
    public let total: Int
    public let created: Int
    public let alreadyPresent: Int
    public let restored: Int
    /// The rooms this batch made live: created (phase creating) or undeleted (phase restoring). The caller logs
    /// them as they come, so a run that is killed later has still recorded every room it committed.
    public let madeLive: [Room]
}

/// `chat-exporter backfill`: creates the rooms of active bookings whose pair has none, exactly as the migration-050
/// trigger would have (same pairs, teacher ≠ student, created_at = updated_at = now()), in short batches of
/// `INSERT … ON CONFLICT (teacher_id, student_id) DO NOTHING`, so it is safe beside the live trigger and beside
/// another backfill: nothing is created twice and a conflict is never an error. With `restoreDeleted` it also
/// undeletes the soft-deleted rooms that block pairs with an active booking.
///
/// The pool must be opened with a read-write session (`SessionSettings.readOnly = false`) for a real run; a dry run
/// only reads and works on a read-only session.
///
/// Stopping: a ``BackfillStop`` request lets the batch in flight commit, starts no other, and returns the summary
/// (counted again at the end) marked interrupted. Cancelling the task instead cancels the statement in flight on the
/// server (it rolls back) and throws a ``BackfillError`` of kind `interrupted`.
public struct Backfill: Sendable {
    public let pool: ConnectionPool
    public let options: BackfillOptions

    public init(pool: ConnectionPool, options: BackfillOptions) {
        self.pool = pool
        self.options = options
    }

    /// Runs the backfill (or the dry run) and returns what it did.
    /// - Parameters:
    ///   - stop: checked before every batch; once requested, the run ends after the batch in flight.
    ///   - events: the census and every batch, as they happen.
    /// - Throws: ``BackfillError`` when it cannot run, a batch fails for good or the task is cancelled; `partial` then
    ///   holds what it had done.
    public func run(
        stop: BackfillStop = BackfillStop(), events: @Sendable (BackfillEvent) -> Void = { _ in }
    ) async throws(BackfillError) -> BackfillSummary {
        if let problem = options.problem {
            throw BackfillError(kind: .configuration, message: problem)
        }

        // Who, where, and whether the backfill can work here at all.
        let preflight = try await query(BackfillSQL.preflight, role: nil, partial: nil)
        guard let row = preflight.rows.first else {
            throw BackfillError(kind: .database, message: "the preflight query returned no row")
        }
        let role = cell(preflight, row, "role") ?? "unknown"
        let schemaPresent = cell(preflight, row, "schema_present") == "t"
        let uniquePresent = cell(preflight, row, "unique_present") == "t"
        let canInsert = cell(preflight, row, "can_insert") == "t"
        let canUpdate = cell(preflight, row, "can_update") == "t"
        let inRecovery = cell(preflight, row, "in_recovery") == "t"

        guard schemaPresent else {
            throw BackfillError(kind: .schema, message: "the platform schema is not there: no chat_rooms, bookings or lessons table on the search path")
        }
        // A dry run still lists the backlog without it (useful during that very incident) and says a run would refuse.
        guard uniquePresent || options.dryRun else {
            throw BackfillError(kind: .missingUniqueConstraint, message: BackfillError.missingUniqueMessage)
        }
        var summary = BackfillSummary(dryRun: options.dryRun, role: role, canWrite: canInsert && !inRecovery)
        summary.standby = inRecovery
        summary.blockedAllowed = options.allowBlocked
        summary.restoreDeleted = options.restoreDeleted
        summary.canRestore = canUpdate
        summary.uniquePresent = uniquePresent
        if !options.dryRun {
            if inRecovery {
                throw BackfillError(kind: .readOnly, message: "the database is a read-only standby: run the backfill against the primary")
            }
            guard canInsert else {
                throw BackfillError(kind: .permission, message: BackfillError.writeDenied(role: role, detail: "no INSERT on chat_rooms (teacher_id, student_id, created_at, updated_at)"))
            }
            if options.restoreDeleted && !canUpdate {
                throw BackfillError(kind: .permission, message: BackfillError.restoreDenied(role: role))
            }
        }

        let (missing, blocked) = try await census(role: role, partial: summary)
        summary.missingAtStart = missing
        summary.blockedAtStart = blocked
        events(.started(missing: missing, blocked: blocked, role: role))

        if options.dryRun {
            return try await dryRun(summary, role: role)
        }

        try await create(&summary, role: role, expected: missing, stop: stop, events: events)
        if options.restoreDeleted && summary.interruption == nil {
            try await restore(&summary, role: role, expected: blocked, stop: stop, events: events)
        }

        // Where things stand now: the trigger, other backfills and the platform kept working meanwhile.
        let (missingNow, blockedNow) = try await census(role: role, partial: summary)
        summary.remainingMissing = missingNow
        summary.blocked = blockedNow
        if blockedNow > 0 {
            summary.blockedPairs = try await blockedPairs(role: role, partial: summary)
        }
        if let limit = options.limit, summary.interruption == nil {
            let madeLive = summary.created + summary.restored
            summary.limitReached = madeLive >= limit && (missingNow > 0 || (options.restoreDeleted && blockedNow > 0))
        }
        return summary
    }

    // MARK: - Phases

    private func dryRun(_ start: BackfillSummary, role: String) async throws(BackfillError) -> BackfillSummary {
        var summary = start
        let cap = min(options.limit ?? options.listLimit, options.listLimit)
        summary.wouldCreateCount = min(options.limit ?? summary.missingAtStart, summary.missingAtStart)
        let result = try await query(BackfillSQL.missingPairs, parameters: [String(cap), "{}", "{}"], role: role, partial: summary)
        summary.wouldCreate = result.rows.map { row in
            MissingPair(
                teacherID: cell(result, row, "teacher_id") ?? "",
                studentID: cell(result, row, "student_id") ?? "",
                activeBookings: Int(cell(result, row, "active_bookings") ?? "") ?? 0,
                oldestBookingCreatedAt: cell(result, row, "oldest_booking_created_at"))
        }
        summary.blockedPairs = try await blockedPairs(role: role, partial: summary)
        summary.remainingMissing = summary.missingAtStart
        summary.blocked = summary.blockedAtStart
        if let limit = options.limit {
            summary.limitReached = summary.missingAtStart + (options.restoreDeleted ? summary.blockedAtStart : 0) > limit
        }
        return summary
    }

    /// Creates the missing rooms, a batch at a time. A batch waits at most ``BackfillOptions/batchLockTimeout`` for a
    /// lock: far below PostgreSQL's `deadlock_timeout`, so that when it meets the platform's own transaction in a lock
    /// cycle (the application inserting two bookings whose rooms the batch also inserts, in the other order) the
    /// batch gives up first and the platform's write is never the one cancelled. A batch that gives up is taken
    /// apart: its pairs are made one transaction each, which can wait the session's lock timeout without risk, and a
    /// pair still held past it (a transaction writing that room and not committing) is set aside for a later run
    /// instead of holding up every pair after it.
    private func create(
        _ summary: inout BackfillSummary, role: String, expected: Int, stop: BackfillStop, events: @Sendable (BackfillEvent) -> Void
    ) async throws(BackfillError) {
        let total = options.limit.map { min($0, expected) } ?? expected
        var handled = 0
        func record(_ result: QueryResult) {
            var created: [Room] = []
            for row in result.rows {
                let teacher = cell(result, row, "teacher_id") ?? ""
                let student = cell(result, row, "student_id") ?? ""
                if let id = cell(result, row, "room_id") {
                    created.append(Room(id: id, teacherID: teacher, studentID: student))
                } else {
                    summary.alreadyPresent += 1
                }
            }
            summary.created += created.count
            summary.createdRooms += created
            handled += result.rows.count
            events(.progress(BackfillProgress(
                phase: .creating, done: handled, total: max(total, handled), created: summary.created,
                alreadyPresent: summary.alreadyPresent, restored: summary.restored, madeLive: created)))
        }
        var setAsideInARow = 0
        while !Self.stopped(&summary, by: stop) {
            let left = options.limit.map { $0 - summary.created - summary.restored } ?? Int.max
            let size = min(options.batchSize, left)
            if size <= 0 { return }
            let setAside = Self.textArrays(summary.setAside)
            do {
                let result = try await pool.query(
                    BackfillSQL.createBatch, parameters: [String(size), setAside.teachers, setAside.students],
                    timeout: options.statementTimeout, lockTimeout: options.batchLockTimeout)
                summary.batches += 1
                record(result)
                // A short batch means the candidates ran out. Every row of a full one now has a room (made here or by
                // someone else), so the next batch never sees the same pairs again: the loop always progresses.
                if result.rows.count < size { return }
            } catch let error as PostgresError where Self.isContention(error) && !Task.isCancelled {
                // The batch rolled back whole: make the same candidates pair by pair.
                let listed = try await query(
                    BackfillSQL.missingPairs, parameters: [String(size), setAside.teachers, setAside.students],
                    role: role, partial: summary)
                events(.takenApart(pairs: listed.rows.count, error: error))
                for row in listed.rows {
                    if Self.stopped(&summary, by: stop) { return }
                    if let limit = options.limit, summary.created + summary.restored >= limit { return }
                    let pair = TeacherStudentPair(teacherID: cell(listed, row, "teacher_id") ?? "", studentID: cell(listed, row, "student_id") ?? "")
                    do {
                        let result = try await pool.query(
                            BackfillSQL.createPair, parameters: [pair.teacherID, pair.studentID], timeout: options.statementTimeout,
                            lockTimeout: options.pairLockTimeout)
                        summary.batches += 1
                        record(result)
                        setAsideInARow = 0
                    } catch let error as PostgresError where Self.isContention(error) && !Task.isCancelled {
                        summary.setAside.append(pair)
                        events(.setAside(pair, error: error))
                        setAsideInARow += 1
                        if setAsideInARow >= options.setAsideInARowLimit {
                            summary.lockedOut = true
                            events(.lockedOut(pairs: setAsideInARow))
                            return
                        }
                    } catch {
                        throw failure(error, role: role, partial: summary)
                    }
                }
                if listed.rows.count < size { return }
            } catch {
                throw failure(error, role: role, partial: summary)
            }
        }
    }

    /// A deadlock (40P01), a serialization conflict (40001) or a lock wait past its timeout (55P03): the statement
    /// lost to another transaction and changed nothing; trying again later is safe.
    private static func isContention(_ error: PostgresError) -> Bool {
        ["40P01", "40001", "55P03"].contains(error.sqlState ?? "")
    }

    /// The pairs as two PostgreSQL text arrays in step (teachers, students).
    private static func textArrays(_ pairs: [TeacherStudentPair]) -> (teachers: String, students: String) {
        func literal(_ values: [String]) -> String {
            let quoted = values.map { value in
                var element = "\""
                for character in value {
                    if character == "\\" || character == "\"" { element.append("\\") }
                    element.append(character)
                }
                return element + "\""
            }
            return "{" + quoted.joined(separator: ",") + "}"
        }
        return (literal(pairs.map(\.teacherID)), literal(pairs.map(\.studentID)))
    }

    private func restore(
        _ summary: inout BackfillSummary, role: String, expected: Int, stop: BackfillStop, events: @Sendable (BackfillEvent) -> Void
    ) async throws(BackfillError) {
        let total = options.limit.map { max(0, min($0 - summary.created, expected)) } ?? expected
        var handled = 0
        while !Self.stopped(&summary, by: stop) {
            let left = options.limit.map { $0 - summary.created - summary.restored } ?? Int.max
            let size = min(options.batchSize, left)
            if size <= 0 { return }
            guard let result = try await batch(
                BackfillSQL.restoreBatch, size: size, role: role, partial: summary, stop: stop, events: events)
            else {
                _ = Self.stopped(&summary, by: stop)
                return
            }
            summary.batches += 1
            var restored: [Room] = []
            for row in result.rows {
                if cell(result, row, "restored") == "t" {
                    restored.append(Room(
                        id: cell(result, row, "room_id") ?? "", teacherID: cell(result, row, "teacher_id") ?? "",
                        studentID: cell(result, row, "student_id") ?? ""))
                } else {
                    summary.alreadyRestored += 1
                }
            }
            summary.restored += restored.count
            summary.restoredRooms += restored
            handled += result.rows.count
            events(.progress(BackfillProgress(
                phase: .restoring, done: handled, total: max(total, handled), created: summary.created,
                alreadyPresent: summary.alreadyPresent, restored: summary.restored, madeLive: restored)))
            if result.rows.count < size { return }
        }
    }

    /// Whether a stop was requested; records it in the summary when it was.
    private static func stopped(_ summary: inout BackfillSummary, by stop: BackfillStop) -> Bool {
        guard let request = stop.requested else { return false }
        summary.interruption = request
        return true
    }

    // MARK: - Queries

    private func census(role: String, partial: BackfillSummary) async throws(BackfillError) -> (missing: Int, blocked: Int) {
        let result = try await query(BackfillSQL.census, role: role, partial: partial)
        guard let row = result.rows.first else { return (0, 0) }
        return (Int(cell(result, row, "missing") ?? "") ?? 0, Int(cell(result, row, "blocked") ?? "") ?? 0)
    }

    private func blockedPairs(role: String, partial: BackfillSummary) async throws(BackfillError) -> [BlockedPair] {
        let result = try await query(BackfillSQL.blockedPairs, parameters: [String(options.listLimit)], role: role, partial: partial)
        return result.rows.map { row in
            BlockedPair(
                teacherID: cell(result, row, "teacher_id") ?? "",
                studentID: cell(result, row, "student_id") ?? "",
                roomID: cell(result, row, "room_id") ?? "",
                deletedAt: cell(result, row, "deleted_at"),
                activeBookings: Int(cell(result, row, "active_bookings") ?? "") ?? 0)
        }
    }

    /// One batch of restorations, tried again when it lost a deadlock, a serialization conflict or its lock wait. Retrying is safe: the statement
    /// is idempotent. Nil when a stop was requested before a retry.
    private func batch(
        _ sql: String, size: Int, role: String, partial: BackfillSummary, stop: BackfillStop,
        events: @Sendable (BackfillEvent) -> Void
    ) async throws(BackfillError) -> QueryResult? {
        var attempt = 0
        while true {
            do {
                // The session's lock timeout: a soft-deleted room is no row the trigger's insert waits on, so a
                // restoration cannot be one end of a lock cycle with the platform's transaction.
                return try await pool.query(sql, parameters: [String(size)], timeout: options.statementTimeout)
            } catch {
                guard let postgres = error as? PostgresError, !Task.isCancelled, Self.isContention(postgres),
                      attempt < options.maxRetries else {
                    throw failure(error, role: role, partial: partial)
                }
                if stop.requested != nil { return nil }
                attempt += 1
                events(.retrying(attempt: attempt, error: postgres))
                // A little random pause, growing, so that two contenders do not meet again at once.
                let pause = Duration.milliseconds(50 * attempt) + .milliseconds(Int.random(in: 0...50))
                do { try await Task.sleep(for: pause) } catch {
                    throw failure(error, role: role, partial: partial)
                }
            }
        }
    }

    private func query(_ sql: String, parameters: [String?] = [], role: String?, partial: BackfillSummary?) async throws(BackfillError) -> QueryResult {
        do {
            return try await pool.query(sql, parameters: parameters, timeout: options.statementTimeout)
        } catch {
            throw failure(error, role: role, partial: partial)
        }
    }

    /// What an error met while working as `role` means for the run: the task's cancellation, a classified database
    /// error, or any other error as a database failure.
    private func failure(_ error: any Error, role: String?, partial: BackfillSummary?) -> BackfillError {
        let postgres = error as? PostgresError
        if Task.isCancelled { return BackfillError.interrupted(dryRun: options.dryRun, partial: partial, underlying: postgres) }
        if let postgres { return BackfillError.from(postgres, role: role, partial: partial) }
        return BackfillError(kind: .database, message: "\(error)", partial: partial)
    }

    private func cell(_ result: QueryResult, _ row: [String?], _ column: String) -> String? {
        guard let index = result.columnIndex(named: column), index < row.count else { return nil }
        return row[index]
    }
}
