import ArgumentParser
import FoundationEssentials
import PostgresClient

/// How the exporter talks to PostgreSQL. The connection itself comes from the environment (never a flag: a
/// password on the command line is visible to every user of the machine).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database.password-file"), help: ArgumentHelp("Read the database password from this file (a Kubernetes secret, for example). Wins over every other password.", valueName: "path"))
    var passwordFile: String?

    @Option(name: .customLong("database.max-connections"), help: "The most connections the exporter holds to the database.")
    var maxConnections: Int = 3

    @Option(name: .customLong("database.timezone"), help: "The session TimeZone: the zone the platform writes its timestamp columns (without time zone) in. \"Today\" of chat_rooms_created_today starts at its midnight unless the collectors file's timezone setting names another zone.")
    var timeZone: String = "UTC"

    @Option(name: .customLong("database.connect-timeout"), help: "How long opening a connection may take.")
    var connectTimeout = DurationArgument(argument: "10s")!

    @Option(name: .customLong("database.lock-timeout"), help: "The session lock_timeout: how long a query may wait for a lock.")
    var lockTimeout = DurationArgument(argument: "5s")!

    @Option(name: .customLong("database.idle-in-transaction-timeout"), help: "The session idle_in_transaction_session_timeout.")
    var idleInTransactionTimeout = DurationArgument(argument: "1m")!

    func validate() throws {
        guard maxConnections >= 1 else { throw ValidationError("--database.max-connections must be at least 1") }
        guard !timeZone.isEmpty else { throw ValidationError("--database.timezone must not be empty") }
        guard connectTimeout.duration > .zero else {
            throw ValidationError("--database.connect-timeout must be more than 0s (every connection attempt would time out at once)")
        }
        // PostgreSQL takes both as a 32-bit count of milliseconds; 0 turns them off.
        let longest = Duration.milliseconds(Int32.max)
        for (flag, value) in [("--database.lock-timeout", lockTimeout.duration), ("--database.idle-in-transaction-timeout", idleInTransactionTimeout.duration)] {
            guard value <= longest else {
                throw ValidationError("\(flag) must be at most 24d (PostgreSQL's limit, 2147483647ms); 0s turns it off")
            }
        }
    }

    var session: SessionSettings {
        var session = SessionSettings()
        session.timeZone = timeZone
        session.connectTimeout = connectTimeout.duration
        session.lockTimeout = lockTimeout.duration
        session.idleInTransactionSessionTimeout = idleInTransactionTimeout.duration
        return session
    }

    var pool: ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = maxConnections
        return configuration
    }

    func connectionSettings() throws(PostgresError) -> ConnectionSettings {
        try ConnectionSettings.fromEnvironment(ProcessInfo.processInfo.environment, passwordFile: passwordFile)
    }
}
