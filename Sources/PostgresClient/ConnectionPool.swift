/// A bounded set of connections shared by the collectors.
///
/// The pool never holds more than `maxConnections` connections, open or opening. Callers beyond that wait for one
/// to come back, up to their deadline. Failed connection attempts back off exponentially with jitter, capped, so a
/// database that is down is not hammered; while the pool backs off, callers fail at once with a `.connection`
/// error. A statement that fails because an idle connection went stale (the server restarted) is retried once on a
/// fresh connection.
public actor ConnectionPool {
    public struct Configuration: Sendable {
        public var maxConnections: Int = 3
        public var backoffBase: Duration = .milliseconds(200)
        public var backoffCap: Duration = .seconds(5)
        /// Receives the server's notices and warnings (``PostgresNotice``); without it they are dropped, never printed.
        public var onNotice: (@Sendable (PostgresNotice) -> Void)?
        /// Told when ``ConnectionPool/databaseReachable`` changes (the first answer included), with the error that
        /// made it unreachable: one log line per outage and recovery, where each failed run says only its own.
        public var onReachabilityChange: (@Sendable (_ reachable: Bool, _ error: PostgresError?) -> Void)?
        public init() {}
    }

    private let settings: ConnectionSettings
    private let session: SessionSettings
    private let configuration: Configuration
    private var idle: [PostgresConnection] = []
    private var leased: [ObjectIdentifier: PostgresConnection] = [:]
    private var opening = 0
    private var closing = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0
    private var consecutiveFailures = 0
    private var nextAttempt: ContinuousClock.Instant?
    private var lastConnectError: PostgresError?
    private var isShutDown = false

    /// Whether the last connection attempt or statement reached the database; nil before the first attempt.
    public private(set) var databaseReachable: Bool?

    /// Connections opened successfully since the pool was created (reconnects included).
    public private(set) var connectionsOpened = 0
    /// Where the latest connection went, as libpq resolved it; nil before the first one.
    public private(set) var connectedTarget: ConnectionTarget?

    public init(settings: ConnectionSettings, session: SessionSettings, configuration: Configuration = Configuration()) {
        self.settings = settings
        self.session = session
        self.configuration = configuration
    }

    /// Connections open, leased, being opened or being closed: what counts against `maxConnections`.
    public var connectionCount: Int { idle.count + leased.count + opening + closing }

    /// Callers waiting for a connection to come back.
    public var waitingCount: Int { waiters.count }

    /// Runs one statement on a pooled connection (see ``PostgresConnection/query(_:parameters:timeout:lockTimeout:)``).
    /// Waiting for a free connection counts against `timeout`.
    public func query(
        _ sql: String, parameters: [String?] = [], timeout: Duration, lockTimeout: Duration? = nil
    ) async throws -> QueryResult {
        let deadline = ContinuousClock.now + timeout
        var attempt = 0
        while true {
            attempt += 1
            let (connection, reused) = try await acquire(deadline: deadline)
            do {
                let remaining = max(deadline - ContinuousClock.now, .milliseconds(1))
                let result = try await connection.query(sql, parameters: parameters, timeout: remaining, lockTimeout: lockTimeout)
                setReachable(true)
                await release(connection)
                return result
            } catch let error as PostgresError {
                await release(connection)
                if error.kind == .connection {
                    // An idle connection found dead before the statement began (it went stale: a server restart, an
                    // idle timeout) is replaced and the statement tried on a new one. One that broke while the statement
                    // ran (a DBA's pg_terminate_backend of a heavy query) fails: trying again would run it twice.
                    if reused && attempt == 1 && !error.statementStarted {
                        await closeIdle()  // they share the fate of the one that went stale
                        continue
                    }
                    setReachable(false, error)
                } else if error.kind != .cancelled {
                    setReachable(true)
                }
                throw error
            } catch {
                await release(connection)
                throw error
            }
        }
    }

    /// Cancels every running statement, closes every connection and refuses further work.
    public func shutdown() async {
        isShutDown = true
        for connection in leased.values { connection.cancel() }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .cancelled, message: "shutting down"))
        }
        waiters.removeAll()
        await closeIdle()
    }

    // MARK: - Leasing

    private func acquire(deadline: ContinuousClock.Instant) async throws -> (PostgresConnection, reused: Bool) {
        while true {
            if isShutDown { throw PostgresError(kind: .cancelled, message: "shutting down") }
            if Task.isCancelled { throw Self.cancelledWhileWaiting }
            if let connection = idle.popLast() {
                leased[ObjectIdentifier(connection)] = connection
                return (connection, true)
            }
            if connectionCount < configuration.maxConnections {
                return (try await open(), false)
            }
            try await waitForRelease(deadline: deadline)
        }
    }

    private func open() async throws -> PostgresConnection {
        let now = ContinuousClock.now
        if let nextAttempt, now < nextAttempt, let lastConnectError {
            let tenths = ((nextAttempt - now).wholeMilliseconds + 99) / 100
            // The next waiter fails the same way at once, rather than waiting out its deadline for a connection that
            // nobody is opening.
            wakeOneWaiter()
            throw PostgresError(
                kind: lastConnectError.kind, sqlState: lastConnectError.sqlState,
                message: "\(lastConnectError.message) (next connection attempt in \(tenths / 10).\(tenths % 10)s)")
        }
        opening += 1
        do {
            let current: ConnectionSettings
            do {
                current = try settings.refreshed()
            } catch {
                // A password file gone or unreadable since start-up: no connection can be made, as when the database
                // is down (database_up 0, ChatExporterDatabaseDown), with the file named in the error.
                throw PostgresError(kind: .connection, message: error.message)
            }
            let connection = try await PostgresConnection.connect(settings: current, session: session, onNotice: configuration.onNotice)
            opening -= 1
            connectionsOpened += 1
            connectedTarget = connection.target
            consecutiveFailures = 0
            nextAttempt = nil
            lastConnectError = nil
            setReachable(true)
            if isShutDown {
                await close(connection)
                throw PostgresError(kind: .cancelled, message: "shutting down")
            }
            leased[ObjectIdentifier(connection)] = connection
            return connection
        } catch let error as PostgresError where error.kind == .cancelled {
            // Cancelled by its caller (a shutdown, a reload): says nothing about the database, so no backoff.
            opening -= 1
            wakeOneWaiter()
            throw error
        } catch let error as PostgresError {
            opening -= 1
            consecutiveFailures += 1
            nextAttempt = ContinuousClock.now + backoff(after: consecutiveFailures)
            lastConnectError = error
            if error.kind == .connection {
                setReachable(false, error)
            } else if error.isSettingRefusedByServer {
                setReachable(true)
            }
            wakeOneWaiter()
            throw error
        }
    }

    private func setReachable(_ reachable: Bool, _ error: PostgresError? = nil) {
        guard databaseReachable != reachable else { return }
        databaseReachable = reachable
        configuration.onReachabilityChange?(reachable, error)
    }

    private func backoff(after failures: Int) -> Duration {
        Self.backoff(after: failures, base: configuration.backoffBase, cap: configuration.backoffCap)
    }

    /// Capped exponential backoff with "equal jitter": half the step fixed, half random; never more than `cap`.
    static func backoff(after failures: Int, base: Duration, cap: Duration) -> Duration {
        let exponent = min(max(failures - 1, 0), 20)
        let step = min(base * (1 << exponent), cap)
        return step / 2 + step / 2 * Double.random(in: 0...1)
    }

    private func release(_ connection: PostgresConnection) async {
        leased[ObjectIdentifier(connection)] = nil
        if connection.isBroken || isShutDown {
            await close(connection)
        } else {
            idle.append(connection)
        }
        wakeOneWaiter()
    }

    private func closeIdle() async {
        let stale = idle
        idle.removeAll()
        for connection in stale { await close(connection) }
    }

    /// Closes a connection that has left `idle`/`leased`; it keeps counting against the limit until it is closed.
    private func close(_ connection: PostgresConnection) async {
        closing += 1
        await connection.close()
        closing -= 1
        wakeOneWaiter()
    }

    /// Waits until a connection comes back, the deadline passes (`.timeout`) or the task is cancelled (`.cancelled`:
    /// a collector stopped for a shutdown or a reload does not wait out its deadline).
    private func waitForRelease(deadline: ContinuousClock.Instant) async throws {
        nextWaiterID += 1
        let id = nextWaiterID
        let timer = Task { [weak self] in
            try await Task.sleep(until: deadline, clock: .continuous)
            await self?.removeWaiter(id, failing: PostgresError(
                kind: .timeout, message: "no database connection became free in time (pool of \(self?.configuration.maxConnections ?? 0))"))
        }
        defer { timer.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: Self.cancelledWhileWaiting)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.removeWaiter(id, failing: Self.cancelledWhileWaiting) }
        }
    }

    private static let cancelledWhileWaiting = PostgresError(kind: .cancelled, message: "cancelled while waiting for a database connection")

    private func removeWaiter(_ id: Int, failing error: PostgresError) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: error)
    }

    private func wakeOneWaiter() {
        guard !waiters.isEmpty else { return }
        waiters.removeFirst().continuation.resume()
    }
}
