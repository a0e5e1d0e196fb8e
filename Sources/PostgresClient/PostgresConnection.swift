import CLibPQ
import Dispatch
import FoundationEssentials
import Synchronization

/// One libpq connection.
///
/// libpq blocks, so a connection never runs libpq on Swift's cooperative pool: it owns a serial dispatch queue
/// and every libpq call on the `PGconn` happens there, with the asynchronous API and `poll(2)` against a deadline.
/// ``cancel()`` may be called from any thread; it cancels the running statement on the server (`PQcancel`, which
/// opens a connection of its own and blocks: it runs on a global queue, never on the caller's thread or under a lock).
///
/// A connection is used by one caller at a time (the ``ConnectionPool`` hands it out); it is `Sendable` so it can
/// move between tasks, and its invariants are: `handle` is touched only on `queue`, `control` only under its lock.
public final class PostgresConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    private var handle: OpaquePointer?  // PGconn*, only on `queue`
    private let control: Mutex<Control>
    let settings: ConnectionSettings
    let session: SessionSettings
    /// The server process serving this connection (`pg_stat_activity.pid`).
    public let backendPID: Int32
    /// Where libpq connected, as it resolved the settings (service file, `PG*` variables and defaults included).
    public let target: ConnectionTarget

    private struct Control: ~Copyable {
        var cancelHandle: CancelHandle?
        /// `PQcancel` calls running with `cancelHandle`; `finish()` leaves freeing it to the last of them.
        var cancelsInFlight = 0
        var freeCancelHandleWhenIdle = false
        /// The caller asked to cancel the current query (``query(_:parameters:timeout:)``'s `generation`).
        var cancelRequested = false
        /// ``cancel()`` was called (the pool is shutting down): every later statement is cancelled too.
        var cancelledForGood = false
        /// Counts queries, so that a task's cancellation handler running late never cancels the next query.
        var generation: UInt64 = 0
        var broken = false
    }

    /// Where the server's notices go (instead of libpq's default, stderr).
    private let notices: NoticeReceiver

    /// Whether the connection is unusable (lost, or abandoned after a statement would not stop).
    public var isBroken: Bool { control.withLock { $0.broken } }

    /// The session's settings as `SET LOCAL` statements, sent with every `BEGIN` (the lock timeout apart, which a
    /// query may override): every one of ``sessionSettings(_:)`` but the first.
    private let transactionSettings: String

    /// What every transaction sets, by name and value: the lock timeout first (a query may override it), then the
    /// time zone, the idle-in-transaction timeout, no JIT, no parallel workers. The connect-time check
    /// (``configureSession(deadline:)``) and each transaction's `SET LOCAL`s both come from this one list.
    private static func sessionSettings(_ session: SessionSettings) -> [(name: String, value: String)] {
        [
            ("lock_timeout", "\(session.lockTimeout.settingMilliseconds)ms"),
            ("TimeZone", session.timeZone),
            ("idle_in_transaction_session_timeout", "\(session.idleInTransactionSessionTimeout.settingMilliseconds)ms"),
            ("jit", "off"),
            ("max_parallel_workers_per_gather", "0"),
        ]
    }

    private static func transactionSettings(for session: SessionSettings) -> String {
        sessionSettings(session).dropFirst().map { "; SET LOCAL \($0.name) = \(quoted($0.value))" }.joined()
    }

    /// A string constant for `value`, whatever it holds (E'' escapes hold whatever standard_conforming_strings says).
    private static func quoted(_ value: String) -> String {
        var constant = "E'"
        for scalar in value.unicodeScalars {
            if scalar == "'" || scalar == "\\" { constant.unicodeScalars.append(scalar) }
            constant.unicodeScalars.append(scalar)
        }
        return constant + "'"
    }

    /// `notices` is the handle's notice receiver (``LibPQ/open``): kept here, it lives as long as the handle (the
    /// deinit finishes the handle before the stored properties go).
    private init(
        queue: DispatchQueue, handle: OpaquePointer, settings: ConnectionSettings, session: SessionSettings,
        notices: NoticeReceiver
    ) {
        self.queue = queue
        self.handle = handle
        self.notices = notices
        self.settings = settings
        self.session = session
        self.transactionSettings = Self.transactionSettings(for: session)
        self.backendPID = PQbackendPID(handle)
        self.target = ConnectionTarget(
            host: LibPQ.string(PQhost(handle)), port: LibPQ.string(PQport(handle)),
            database: LibPQ.string(PQdb(handle)), user: LibPQ.string(PQuser(handle)))
        self.control = Mutex(Control(cancelHandle: PQgetCancel(handle).map(CancelHandle.init)))
    }

    deinit {
        // No cancel is in flight: each holds the connection until it is done.
        control.withLock { state in
            if let cancelHandle = state.cancelHandle { PQfreeCancel(cancelHandle.pointer) }
            state.cancelHandle = nil
        }
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection (with its application name) and checks that the server accepts the session's settings, all
    /// within `session.connectTimeout`. The settings themselves are set in each transaction (``query``), never on the
    /// session: behind a pooler in transaction mode (pgbouncer) a session setting would stay on the server connection
    /// for the pool's next client — read-only transactions for the platform's own writes — and another client's
    /// settings would reach the exporter's queries.
    public static func connect(
        settings: ConnectionSettings, session: SessionSettings, onNotice: (@Sendable (PostgresNotice) -> Void)? = nil
    ) async throws -> PostgresConnection {
        let queue = DispatchQueue(label: "chat-exporter.postgres")
        // Task cancellation abandons the attempt within a tenth of a second: a shutdown does not wait out the connect
        // timeout of a server that accepted TCP and never answered.
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    do {
                        let deadline = ContinuousClock.now + session.connectTimeout
                        let notices = NoticeReceiver(settings: settings, handler: onNotice)
                        let handle = try LibPQ.open(
                            settings: settings, session: session, notices: notices, deadline: deadline) { cancelled.isSet }
                        let connection = PostgresConnection(
                            queue: queue, handle: handle, settings: settings, session: session, notices: notices)
                        if cancelled.isSet {
                            connection.finish()
                            throw LibPQ.connectCancelled
                        }
                        try connection.configureSession(deadline: deadline)
                        continuation.resume(returning: connection)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }

    /// Runs one statement with its parameters bound server-side (`$1`, `$2`, …) inside its own transaction —
    /// `READ ONLY` unless the session allows writes — with `statement_timeout` set to `timeout`, and `lock_timeout` to
    /// `lockTimeout` when given (instead of the session's; more than zero: it never turns the wait limit off).
    ///
    /// If the server has not answered shortly after the timeout, the statement is cancelled with `PQcancel`; if even
    /// that goes unanswered, the connection is abandoned (marked broken). Task cancellation cancels the statement too.
    public func query(
        _ sql: String, parameters: [String?] = [], timeout: Duration, lockTimeout: Duration? = nil
    ) async throws -> QueryResult {
        let generation = control.withLock { state in
            state.generation &+= 1
            state.cancelRequested = state.cancelledForGood
            return state.generation
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<QueryResult, any Error>) in
                queue.async {
                    do {
                        continuation.resume(returning: try self.runTransaction(sql, parameters: parameters, timeout: timeout, lockTimeout: lockTimeout))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            let current = self.control.withLock { state in
                guard state.generation == generation else { return false }
                state.cancelRequested = true
                return true
            }
            if current { self.sendCancel() }
        }
    }

    /// Cancels the running statement on the server, if there is one, and every later one (the pool calls it when it
    /// shuts down). Safe from any thread; returns at once.
    public func cancel() {
        control.withLock { state in
            state.cancelRequested = true
            state.cancelledForGood = true
        }
        sendCancel()
    }

    /// Sends `PQcancel` for whatever statement the server runs for this connection, from a global queue: it
    /// connects to the server and waits for it, which must block neither the caller nor anyone waiting for `control`
    /// (with the server unreachable, it waits as long as TCP does).
    private func sendCancel() {
        let handle: CancelHandle? = control.withLock { state in
            guard let cancelHandle = state.cancelHandle, !state.freeCancelHandleWhenIdle else { return nil }
            state.cancelsInFlight += 1
            return cancelHandle
        }
        guard let handle else { return }
        DispatchQueue.global().async {
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(handle.pointer, &buffer, Int32(buffer.count))
            self.control.withLock { state in
                state.cancelsInFlight -= 1
                if state.cancelsInFlight == 0 && state.freeCancelHandleWhenIdle, let cancelHandle = state.cancelHandle {
                    PQfreeCancel(cancelHandle.pointer)
                    state.cancelHandle = nil
                }
            }
        }
    }

    /// Closes the connection. Safe to call more than once.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.finish()
                continuation.resume()
            }
        }
    }

    // MARK: - On `queue`

    private func finish() {
        control.withLock { state in
            if state.cancelsInFlight > 0 {
                state.freeCancelHandleWhenIdle = true  // the last cancel in flight frees it
            } else {
                if let cancelHandle = state.cancelHandle { PQfreeCancel(cancelHandle.pointer) }
                state.cancelHandle = nil
            }
            state.broken = true
        }
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Checks that the server takes the settings every transaction sets (``transactionSettings``): set with
    /// `is_local` in the statement's own transaction, they are gone when it ends.
    private func configureSession(deadline: ContinuousClock.Instant) throws {
        let settings = Self.sessionSettings(session)
        let calls = settings.indices.map { "set_config($\(2 * $0 + 1), $\(2 * $0 + 2), true)" }
        do {
            _ = try execute(
                "SELECT " + calls.joined(separator: ", "), parameters: settings.flatMap { [$0.name, $0.value] },
                deadline: deadline, graceAfterDeadline: .zero)
        } catch let error as PostgresError where error.sqlState == "22023" || error.sqlState == "22P02" {
            finish()
            throw PostgresError(
                kind: .configuration, sqlState: error.sqlState,
                message: "\(PostgresError.sessionSettingsRejected): \(error.message)")
        } catch let error as PostgresError where error.kind == .timeout {
            // Connected, and then nothing answered the first statement: a pooler with no free server connection
            // (pgbouncer's pool full, or PAUSE), or a server too busy to answer. No statement of the caller ran.
            finish()
            throw PostgresError(
                kind: .connection,
                message: "connected, but the first statement got no answer within the connect timeout (a pooler with no free server connection, or a paused one?)")
        } catch {
            finish()
            throw error
        }
    }

    private func runTransaction(_ sql: String, parameters: [String?], timeout: Duration, lockTimeout: Duration?) throws -> QueryResult {
        guard handle != nil, !isBroken else {
            throw PostgresError(kind: .connection, message: "connection is closed")
        }
        // The server enforces the timeout; the client waits a little longer, then cancels, then gives up.
        let deadline = ContinuousClock.now + timeout + .milliseconds(500)
        let lockMilliseconds = lockTimeout.map { max($0.wholeMilliseconds, 1) } ?? session.lockTimeout.settingMilliseconds
        let begin = (session.readOnly ? "BEGIN READ ONLY" : "BEGIN") + "; SET LOCAL statement_timeout = \(timeout.wholeMilliseconds)"
            + "; SET LOCAL lock_timeout = \(lockMilliseconds)" + transactionSettings
        // A cancel that came before a statement was sent found nothing to cancel on the server: never send it.
        try throwIfCancelled()
        do {
            // Inside the do: a cancel can stop the SET after BEGIN opened the transaction, which must then be closed.
            _ = try execute(begin, parameters: nil, deadline: deadline, graceAfterDeadline: .seconds(2))
            try throwIfCancelled()
            let result: QueryResult
            do {
                result = try execute(sql, parameters: parameters, deadline: deadline, graceAfterDeadline: .seconds(2))
                // Cancelled now, the transaction is rolled back below rather than committed. Once sent, the COMMIT is
                // not cancelled: its outcome would be unknown.
                try throwIfCancelled()
                _ = try execute(
                    session.readOnly ? "ROLLBACK" : "COMMIT", parameters: nil, deadline: ContinuousClock.now + .seconds(5),
                    graceAfterDeadline: .seconds(1), honoursCancel: false)
            } catch var error as PostgresError where error.kind == .connection {
                error.statementStarted = true
                throw error
            }
            return result
        } catch let error as PostgresError {
            if !isBroken {
                // Leave the connection clean for the next caller (never cancelled: it is the clean-up); if even that
                // fails, it is not clean: give it up.
                do {
                    _ = try execute("ROLLBACK", parameters: nil, deadline: ContinuousClock.now + .seconds(5), graceAfterDeadline: .seconds(1), honoursCancel: false)
                } catch {
                    finish()  // marks it broken
                }
            }
            throw error
        }
    }

    private func throwIfCancelled() throws {
        if control.withLock({ $0.cancelRequested }) {
            throw PostgresError(kind: .cancelled, message: "cancelled before the statement was sent")
        }
    }

    /// Sends one statement and waits for its results. With `parameters == nil` the simple protocol is used (several
    /// statements allowed); otherwise the extended protocol with text parameters (exactly one statement). A cancel
    /// the caller requested cancels it too, unless `honoursCancel` is false (the clean-up ROLLBACK).
    private func execute(
        _ sql: String, parameters: [String?]?, deadline: ContinuousClock.Instant, graceAfterDeadline: Duration, honoursCancel: Bool = true
    ) throws -> QueryResult {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection is closed") }
        let sent: Int32
        if let parameters {
            sent = LibPQ.withCStrings(parameters) { values in
                PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
        } else {
            sent = PQsendQuery(handle, sql)
        }
        guard sent == 1 else { throw connectionError() }

        var cancelSent = false  // the deadline's cancel, or the caller's, is under way: the deadline is the last
        var nextCallerCancel: ContinuousClock.Instant?
        var hardDeadline = deadline
        var last: QueryResult?
        var failure: PostgresError?

        // Flush the outgoing query, then read until libpq is no longer busy.
        while true {
            let flush = PQflush(handle)
            if flush == -1 { throw connectionError() }
            let wantWrite = flush == 1
            if !wantWrite && PQisBusy(handle) == 0 {
                guard let result = PQgetResult(handle) else { break }
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    last = LibPQ.queryResult(result)
                case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                    markBroken()
                    throw PostgresError(kind: .query, message: "COPY is not supported")
                default:
                    if failure == nil { failure = resultError(result) }
                }
                continue
            }
            let now = ContinuousClock.now
            let callerCancelled = honoursCancel && control.withLock { $0.cancelRequested }
            if now >= hardDeadline {
                if !cancelSent {
                    sendCancel()
                    cancelSent = true
                    hardDeadline = now + graceAfterDeadline
                    continue
                }
                // The server did not stop the statement: give the connection up (the server ends the backend when it
                // notices); finish() marks it broken.
                finish()
                throw PostgresError(
                    kind: callerCancelled ? .cancelled : .timeout, message: "statement did not stop after cancellation; connection abandoned")
            }
            if callerCancelled && !wantWrite {
                // The caller's PQcancel may have reached the server before this statement did (cancelling nothing) or
                // before the server read it (ignored): send it again, every 250 ms, until the statement ends.
                if !cancelSent {
                    cancelSent = true
                    hardDeadline = min(hardDeadline, now + .seconds(2))
                }
                if nextCallerCancel.map({ now >= $0 }) ?? true {
                    sendCancel()
                    nextCallerCancel = now + .milliseconds(250)
                }
            }
            let wait = min(hardDeadline - now, .milliseconds(100))
            let ready = LibPQ.poll(socket: PQsocket(handle), forWriting: wantWrite, timeout: wait)
            if ready < 0 { throw connectionError() }
            if ready > 0 && !wantWrite && PQconsumeInput(handle) == 0 { throw connectionError() }
        }
        if PQstatus(handle) == CONNECTION_BAD {
            markBroken()
            throw failure ?? connectionError()
        }
        if let failure { throw failure }
        return last ?? QueryResult(columns: [], rows: [], commandTag: "")
    }

    private func resultError(_ result: OpaquePointer) -> PostgresError {
        let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? String(cString: PQresultErrorMessage(result))
        let message = settings.loggable(primary)
        var kind = PostgresError.Kind.forSQLState(sqlState)
        // 57014 is both statement_timeout and PQcancel: only a cancel the caller asked for is not a timeout.
        if sqlState == "57014" && control.withLock({ $0.cancelRequested }) { kind = .cancelled }
        if kind == .connection { markBroken() }
        return PostgresError(kind: kind, sqlState: sqlState, message: message)
    }

    private func connectionError() -> PostgresError {
        markBroken()
        let text = handle.map { String(cString: PQerrorMessage($0)) } ?? "connection is closed"
        let message = settings.loggable(text)
        return PostgresError(kind: .connection, message: message.isEmpty ? "connection lost" : message)
    }

    private func markBroken() {
        control.withLock { $0.broken = true }
    }
}

/// A `PGcancel*`. libpq documents `PQcancel` as safe to call from any thread; access is serialized by the owner's lock.
private struct CancelHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
