import Foundation
import PostgresClient
import Testing
import TestSupport

struct PostgresConnectionTests {
    private func connect(_ database: TestDatabase, configure: (inout SessionSettings) -> Void = { _ in }) async throws -> PostgresConnection {
        var session = SessionSettings()
        configure(&session)
        return try await PostgresConnection.connect(settings: ConnectionSettings(keywords: database.keywords), session: session)
    }

    /// Starts `SELECT pg_sleep(60)` on `connection` and returns once the server runs it.
    private func sleepRunning(on connection: PostgresConnection, in database: TestDatabase) async throws -> Task<QueryResult, any Error> {
        let task = Task { try await connection.query("SELECT pg_sleep(60)", timeout: .seconds(60)) }
        let pid = connection.backendPID
        try await waitUntil(timeout: .seconds(30), "pg_sleep running") { () async throws -> Bool in
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND query LIKE '%pg_sleep(60)%' AND state = 'active'") == "1"
        }
        return task
    }

    /// postgres_exporter's variables connect for real, with a password that needs percent-encoding in a URI.
    @Test func dataSourceURIConnects() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let role = "\(database.name)_monitor"  // roles are the cluster's: one per test database
        try database.execute("CREATE ROLE \(role) LOGIN PASSWORD 'p@ss:w/rd %x'")
        defer { try? database.execute("DROP ROLE IF EXISTS \(role)") }
        let settings = try ConnectionSettings.fromEnvironment([
            "DATA_SOURCE_URI": "\(database.server.host):\(database.server.port)/\(database.name)?sslmode=disable",
            "DATA_SOURCE_USER": role, "DATA_SOURCE_PASS": "p@ss:w/rd %x",
        ])
        let connection = try await PostgresConnection.connect(settings: settings, session: SessionSettings())
        let result = try await connection.query("SELECT current_user", timeout: .seconds(30))
        #expect(result.rows == [[role]])
        await connection.close()
    }

    @Test func sessionIsSetUpAsDocumented() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database) { $0.timeZone = "Europe/Moscow"; $0.lockTimeout = .seconds(3) }
        let result = try await connection.query("""
            SELECT current_setting('application_name') AS app, current_setting('TimeZone') AS tz,
                   current_setting('default_transaction_read_only') AS ro, current_setting('transaction_read_only') AS tro,
                   current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle,
                   current_setting('statement_timeout') AS st, current_setting('jit') AS jit,
                   current_setting('max_parallel_workers_per_gather') AS parallel
            """, timeout: .seconds(25))
        let row = try #require(result.rows.first)
        // Set in each transaction, never on the session (a pooler would hand the session to its next client): the
        // session's default stays the server's, and the transaction is read-only all the same.
        #expect(row == ["chat-exporter", "Europe/Moscow", "off", "on", "3s", "1min", "25s", "off", "0"], "the query's timeout is its statement_timeout")
        await connection.close()
    }

    /// README: `0s` turns the lock and idle-in-transaction timeouts off (PostgreSQL's 0), where a rounded-up 1 ms
    /// would fail every statement that meets a lock at once; a sub-millisecond one still rounds up, never to off.
    @Test func zeroTurnsTheSessionTimeoutsOff() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let off = try await connect(database) { $0.lockTimeout = .zero; $0.idleInTransactionSessionTimeout = .zero }
        let settings = try await off.query(
            "SELECT current_setting('lock_timeout'), current_setting('idle_in_transaction_session_timeout')", timeout: .seconds(30))
        #expect(settings.rows == [["0", "0"]])
        await off.close()
        let tiny = try await connect(database) { $0.lockTimeout = .microseconds(10) }
        #expect(try await tiny.query("SELECT current_setting('lock_timeout')", timeout: .seconds(30)).rows == [["1ms"]])
        await tiny.close()
    }

    @Test func parametersAreBoundServerSideNeverPastedIntoSQL() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let hostile = "x'); DROP TABLE users; --"
        let result = try await connection.query("SELECT $1::text AS v, $2::int + 1 AS n, $3::text IS NULL AS isnull", parameters: [hostile, "41", nil], timeout: .seconds(30))
        #expect(result.rows == [[hostile, "42", "t"]])
        #expect(try database.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'users'") == "1")
        await connection.close()
    }

    @Test func writesFailWithTheReadOnlyErrorAndNothingIsWritten() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let error = try await #require(throws: PostgresError.self) {
            try await connection.query("INSERT INTO users (email) VALUES ('intruder@example.com')", timeout: .seconds(30))
        }
        #expect(error.kind == .query)
        #expect(error.sqlState == "25006")
        // Even a statement that turns the session default off cannot open a writable transaction.
        _ = try? await connection.query("SET default_transaction_read_only = off", timeout: .seconds(30))
        await #expect(throws: PostgresError.self) {
            try await connection.query("INSERT INTO users (email) VALUES ('intruder@example.com')", timeout: .seconds(30))
        }
        #expect(try database.scalar("SELECT count(*) FROM users WHERE email = 'intruder@example.com'") == "0")
        await connection.close()
    }

    @Test func aQueryPastItsTimeoutIsCancelledOnTheServer() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let started = ContinuousClock.now
        let error = try await #require(throws: PostgresError.self) {
            try await connection.query("SELECT pg_sleep(60)", timeout: .milliseconds(500))
        }
        #expect(error.kind == .timeout)
        #expect(error.sqlState == "57014")
        #expect(ContinuousClock.now - started < .seconds(5))
        let pid = connection.backendPID
        try await waitUntil(timeout: .seconds(30), "pg_sleep gone from pg_stat_activity") { () async throws -> Bool in
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND state = 'active' AND query LIKE '%pg_sleep%'") == "0"
        }
        // The connection stays usable.
        let result = try await connection.query("SELECT 1 AS one", timeout: .seconds(30))
        #expect(result.rows == [["1"]])
        await connection.close()
    }

    @Test func taskCancellationCancelsTheStatementOnTheServer() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let task = try await sleepRunning(on: connection, in: database)
        let pid = connection.backendPID
        task.cancel()
        let outcome = await task.result
        #expect(throws: PostgresError.self) { try outcome.get() }
        if case .failure(let error as PostgresError) = outcome { #expect(error.kind == .cancelled) }
        try await waitUntil(timeout: .seconds(30), "pg_sleep gone") { () async throws -> Bool in
            try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND state = 'active' AND query LIKE '%pg_sleep%'") == "0"
        }
        await connection.close()
    }

    /// A task cancelled before its query reaches the server: nothing is sent, the error says cancelled (not the
    /// timeout of a statement abandoned after the 2-second grace), and the connection stays usable (an abandoned
    /// one is closed).
    @Test func aQueryOfAnAlreadyCancelledTaskIsNeverSent() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await connection.query("SELECT pg_sleep(60)", timeout: .seconds(60))
        }
        let outcome = await task.result
        #expect(throws: PostgresError.self) { try outcome.get() }
        if case .failure(let error as PostgresError) = outcome { #expect(error.kind == .cancelled, "\(error)") }
        let result = try await connection.query("SELECT 1 AS one", timeout: .seconds(30))
        #expect(result.rows == [["1"]])
        await connection.close()
    }

    /// `cancel()` is the pool's shutdown: the statement running then is cancelled, and so is every later one, even
    /// one whose query had not yet reached the connection when the pool cancelled it.
    @Test func cancelStopsTheRunningStatementAndEveryLaterOne() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let running = try await sleepRunning(on: connection, in: database)
        connection.cancel()
        let first = try await #require(throws: PostgresError.self) { try await running.value }
        #expect(first.kind == .cancelled)
        let later = try await #require(throws: PostgresError.self) {
            try await connection.query("SELECT 1", timeout: .seconds(30))
        }
        #expect(later.kind == .cancelled)
        await connection.close()
    }

    @Test func nullsAndNumericSpellingsArrive() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let result = try await connection.query("""
            SELECT NULL::int AS a, 'NaN'::float8 AS b, 'Infinity'::numeric AS c, '-Infinity'::float8 AS d, true AS e, 12.5::numeric AS f, 'x' AS g
            """, timeout: .seconds(30))
        let row = try #require(result.rows.first)
        #expect(row[0] == nil)
        #expect(result.columns[1].double(from: row[1]!)!.isNaN)
        #expect(result.columns[2].double(from: row[2]!) == .infinity)
        #expect(result.columns[3].double(from: row[3]!) == -.infinity)
        #expect(result.columns[4].double(from: row[4]!) == 1)
        #expect(result.columns[5].double(from: row[5]!) == 12.5)
        #expect(result.columns[6].double(from: row[6]!) == nil)
        await connection.close()
    }

    /// Only decimal numbers count: what Go's ParseFloat would refuse in sql_exporter or postgres_exporter (hexadecimal,
    /// spelled infinities, a number beyond a double's range) is not a value either, rather than served as +Inf.
    @Test func textThatIsNotADecimalNumberOrOverflowsIsNoValue() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let connection = try await connect(database)
        let refused = ["1e400", "+inf", "-nan", "inf", "0x10", "0x1p-3", "1e", ".", "-", "1.2.3", " 1", "1 ", "١"]
        let accepted: [(String, Double)] = [("-0", 0), ("+1.5", 1.5), (".5", 0.5), ("5.", 5), ("1E3", 1000), ("2e-3", 0.002), ("4.9406564584124654e-324", .leastNonzeroMagnitude)]
        let values = (refused + accepted.map(\.0)).map { "('\($0)')" }.joined(separator: ", ")
        let result = try await connection.query("SELECT v FROM (VALUES \(values)) t(v)", timeout: .seconds(30))
        let column = result.columns[0]
        for (text, row) in zip(refused, result.rows) {
            #expect(column.double(from: row[0]!) == nil, "\(text)")
        }
        for ((text, value), row) in zip(accepted, result.rows.dropFirst(refused.count)) {
            #expect(column.double(from: row[0]!) == value, "\(text)")
        }
        let overflow = try await connection.query("SELECT 10::numeric ^ 400 AS v", timeout: .seconds(30))
        #expect(overflow.columns[0].double(from: overflow.rows[0][0]!) == nil)
        await connection.close()
    }

    /// A server that accepted TCP and never answers (a frozen primary) holds a connection attempt until the connect
    /// timeout; cancelling the task (a shutdown) abandons it at once instead.
    @Test func cancellingAConnectionAttemptToASilentServerAbandonsIt() async throws {
        let server = try SilentServer()
        var session = SessionSettings()
        session.connectTimeout = .seconds(120)
        let settings = ConnectionSettings(keywords: server.keywords)
        let attempt = Task { try await PostgresConnection.connect(settings: settings, session: session) }
        // The handshake is done once the connection waits in the listener's queue (never accepted, never answered).
        // The deadline is generous: it only matters when the attempt never starts, and on a loaded machine (CPU-bound
        // tests beside this one) starting it has taken more than 10 s.
        try await waitUntil(timeout: .seconds(60), "the attempt reached the silent server") { () async throws -> Bool in server.hasPendingConnection }
        attempt.cancel()
        let error = try await #require(throws: PostgresError.self) { try await attempt.value }
        #expect(error.kind == .cancelled, "\(error)")
    }

    @Test func aWrongPasswordIsAConnectionErrorThatNeverShowsThePassword() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let secret = "wrong-password-\(UUID().uuidString)"
        var keywords = database.keywords.filter { $0.0 != "password" }
        keywords.append(("password", secret))
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(settings: ConnectionSettings(keywords: keywords), session: SessionSettings())
        }
        #expect(error.kind == .connection)
        #expect(!error.description.contains(secret))
    }

    @Test func aPasswordWithRunsOfWhiteSpaceIsRedactedFromServerErrors() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let role = "spaced_\(UUID().uuidString.prefix(8).lowercased())"
        let password = "pw  with\ttab"
        try database.execute("CREATE ROLE \(role) LOGIN PASSWORD 'pw  with\ttab'")
        defer { try? database.execute("DROP ROLE IF EXISTS \(role)") }
        var keywords = database.keywords.filter { $0.0 != "password" && $0.0 != "user" }
        keywords += [("user", role), ("password", password)]
        let connection = try await PostgresConnection.connect(settings: ConnectionSettings(keywords: keywords), session: SessionSettings())
        defer { Task { await connection.close() } }
        // The server quotes the bad input back: the password, with its two spaces and its tab.
        let error = try await #require(throws: PostgresError.self) {
            try await connection.query("SELECT 'secret: pw  with\ttab'::int", timeout: .seconds(30))
        }
        #expect(error.description.contains("message withheld: it contains the database password"), "\(error)")
        #expect(!error.description.contains("pw with tab") && !error.description.contains("with\t") && !error.description.contains("secret:"), "\(error)")
    }

    /// A short or common-word password is never replaced inside a message, which would show where it stood (a
    /// password "fail" made "password authentication <redacted>ed"): a message holding it is withheld whole, and
    /// one of under 4 bytes is not looked for (it would withhold every message).
    @Test func aCommonWordPasswordIsNotRevealedByItsRedaction() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        for password in ["fail", "a", database.server.superuser] {
            var keywords = database.keywords.filter { $0.0 != "password" }
            keywords.append(("password", password))
            let error = try await #require(throws: PostgresError.self) {
                try await PostgresConnection.connect(settings: ConnectionSettings(keywords: keywords), session: SessionSettings())
            }
            #expect(!error.description.contains("<redacted>"), "\(password): \(error)")
            if password == "fail" {
                #expect(error.description.contains("message withheld"), "\(error)")
            } else {
                // Under 4 bytes, or equal to the user name shown anyway: the cause stays readable.
                #expect(error.description.contains("password authentication failed"), "\(password): \(error)")
            }
        }
    }

    @Test func thePasswordFileAuthenticates() async throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)").path
        try "\(database.server.password)\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try ConnectionSettings.fromEnvironment([
            "DB_HOST": database.server.host, "DB_PORT": "\(database.server.port)", "DB_NAME": database.name,
            "DB_USER": database.server.superuser, "DB_PASSWORD": "not-the-password",
        ], passwordFile: path)
        let connection = try await PostgresConnection.connect(settings: settings, session: SessionSettings())
        #expect(try await connection.query("SELECT 1", timeout: .seconds(30)).rows == [["1"]])
        await connection.close()
    }
}

extension TestDatabase {
    /// libpq keywords for this database.
    var keywords: [(String, String)] {
        [("host", server.host), ("port", "\(server.port)"), ("dbname", name), ("user", server.superuser), ("password", server.password)]
    }
}
