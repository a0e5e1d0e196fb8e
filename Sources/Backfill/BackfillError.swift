public import PostgresClient

/// Why a backfill could not run (or stopped). Each is exit status 2 for the command line, but `interrupted`: 128 + the
/// signal that cancelled it.
public struct BackfillError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The options or the connection settings are unusable.
        case configuration
        /// The database cannot be reached, or the connection broke.
        case connection
        /// The role lacks a privilege the backfill needs.
        case permission
        /// No unique constraint on chat_rooms (teacher_id, student_id): `ON CONFLICT` cannot work.
        case missingUniqueConstraint = "missing_unique_constraint"
        /// The platform's tables are not there.
        case schema
        /// The server only takes reads (a standby).
        case readOnly = "read_only"
        /// Any other database error (a timeout, a batch that kept losing deadlocks).
        case database
        /// The task was cancelled (a second SIGTERM, SIGINT or SIGHUP): the statement in flight was cancelled on the server
        /// and rolled back; the batches before it stay committed.
        case interrupted
    }

    public let kind: Kind
    /// One line, safe to log (never a password).
    public let message: String
    /// What the run had done before it stopped, when it got that far.
    public let partial: BackfillSummary?
    /// The database error behind it, if any.
    public let underlying: PostgresError?

    public init(kind: Kind, message: String, partial: BackfillSummary? = nil, underlying: PostgresError? = nil) {
        self.kind = kind
        self.message = message
        self.partial = partial
        self.underlying = underlying
    }

    public var description: String { message }

    /// The advice every permission problem ends with.
    static func writeDenied(role: String, detail: String? = nil) -> String {
        let suffix = detail.map { " (\($0))" } ?? ""
        return "the role \(role) may not write chat_rooms: use the backfill role from deploy/sql/role.sql (chat_backfill)\(suffix)"
    }

    /// `--restore-deleted` without UPDATE on the rooms: the scheduled backfill's role deliberately lacks it.
    static func restoreDenied(role: String) -> String {
        "the role \(role) may not undelete rooms (--restore-deleted needs UPDATE on chat_rooms (deleted_at, updated_at)): "
            + "run the restore by hand as the platform's owner role or an administrator; the chat_backfill role of "
            + "deploy/sql/role.sql only inserts rooms, so that the password the timer and the CronJob hold cannot soft-delete any"
    }

    /// Classifies a database error met while working as `role`.
    static func from(_ error: PostgresError, role: String?, partial: BackfillSummary?) -> BackfillError {
        let who = role ?? "in use"
        switch error.sqlState {
        case "42501":  // insufficient_privilege
            let writing = error.message.contains("chat_rooms")
            let message = writing
                ? writeDenied(role: who, detail: error.message)
                : "the role \(who) may not read what the backfill reads: use the backfill role from deploy/sql/role.sql (chat_backfill) (\(error.message))"
            return BackfillError(kind: .permission, message: message, partial: partial, underlying: error)
        case "25006":  // read_only_sql_transaction
            return BackfillError(
                kind: .readOnly, message: "the database refused the write as read-only: run the backfill against the primary (\(error.message))",
                partial: partial, underlying: error)
        case "42P10":  // invalid_column_reference: no unique index matches ON CONFLICT
            return BackfillError(kind: .missingUniqueConstraint, message: missingUniqueMessage, partial: partial, underlying: error)
        case "42P01", "42703":  // undefined_table, undefined_column
            return BackfillError(
                kind: .schema, message: "the platform schema is not there: \(error.message)", partial: partial, underlying: error)
        default:
            break
        }
        if error.kind == .configuration {
            return BackfillError(kind: .configuration, message: "bad connection settings: \(error.message)", partial: partial, underlying: error)
        }
        if error.kind == .connection {
            return BackfillError(kind: .connection, message: "cannot connect to the database: \(error.message)", partial: partial, underlying: error)
        }
        return BackfillError(kind: .database, message: "database error: \(error)", partial: partial, underlying: error)
    }

    /// The task was cancelled while a statement ran (or a retry waited).
    static func interrupted(dryRun: Bool, partial: BackfillSummary?, underlying: PostgresError?) -> BackfillError {
        let message = dryRun
            ? "interrupted: the dry run's query was cancelled; nothing was changed"
            : "interrupted: the statement in flight was cancelled and rolled back; the batches before it are committed"
        return BackfillError(kind: .interrupted, message: message, partial: partial, underlying: underlying)
    }

    static let missingUniqueMessage =
        "chat_rooms has no unique constraint on (teacher_id, student_id) that ON CONFLICT can use (valid, not partial, "
        + "not DEFERRABLE): the backfill relies on ON CONFLICT (teacher_id, student_id) to never create a room twice, so it "
        + "refuses to run. Restore the constraint first, after merging duplicate rooms (chat_room_duplicate_pairs counts "
        + "them): a new unique index built CONCURRENTLY, then, in one transaction, the old constraint dropped (a DEFERRABLE "
        + "one cannot be altered in place) and ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_teacher_id_student_id_key "
        + "UNIQUE USING INDEX; docs/runbooks/ChatCreationUniqueConstraintMissing.md has the SQL."
}
