import Foundation
@testable import PostgresClient
import Testing

struct ConnectionSettingsTests {
    @Test func dataSourceNameWinsOverDatabaseURLAndDBVariables() throws {
        let settings = try ConnectionSettings.fromEnvironment([
            "DATA_SOURCE_NAME": "postgresql://alice@db1.example:6000/first",
            "DATABASE_URL": "postgresql://bob@db2.example:7000/second",
            "DB_HOST": "db3.example",
        ])
        #expect(settings.source == .dataSourceName)
        #expect(settings.target == ConnectionTarget(host: "db1.example", port: "6000", database: "first", user: "alice"))
    }

    @Test func databaseURLWinsOverDBVariables() throws {
        let settings = try ConnectionSettings.fromEnvironment([
            "DATABASE_URL": "host=db2.example port=7000 dbname=second user=bob",
            "DB_HOST": "db3.example",
        ])
        #expect(settings.source == .databaseURL)
        #expect(settings.target == ConnectionTarget(host: "db2.example", port: "7000", database: "second", user: "bob"))
    }

    @Test func dbVariablesFallBackToTheOldScriptsDefaults() throws {
        let defaults = try ConnectionSettings.fromEnvironment([:])
        #expect(defaults.source == .dbVariables)
        #expect(defaults.target == ConnectionTarget(host: "localhost", port: "5432", database: "tutoring_platform", user: "postgres"))

        let given = try ConnectionSettings.fromEnvironment(["DB_HOST": "db.internal", "DB_PORT": "6543", "DB_NAME": "thebot_db", "DB_USER": "monitor"])
        #expect(given.target == ConnectionTarget(host: "db.internal", port: "6543", database: "thebot_db", user: "monitor"))
    }

    @Test func libpqVariablesAreLeftToLibpqWhenNoDBVariableIsSet() throws {
        // PGHOST is set and DB_HOST is not: the old default "localhost" must not override libpq's own variable.
        let settings = try ConnectionSettings.fromEnvironment(["PGHOST": "from-pghost", "DB_NAME": "thebot_db"])
        let hostGiven = settings.target.host
        #expect(hostGiven != "localhost")
        #expect(settings.target.database == "thebot_db")

        // Each libpq variable stands for its own field: PGPORT alone is not overridden by the old default 5432, nor
        // PGUSER by postgres.
        // (The target is what libpq makes of the process's own environment, so the parameters are what tells.)
        let portAndUser = try ConnectionSettings.fromEnvironment(["PGHOST": "db.internal", "PGPORT": "6544", "PGUSER": "monitor"])
        #expect(portAndUser.parameters.map(\.keyword).sorted() == ["dbname"])
    }

    /// postgres_exporter's split data source: `DATA_SOURCE_URI` with `DATA_SOURCE_USER` and `DATA_SOURCE_PASS`, the user
    /// and password percent-encoded into the URI as postgres_exporter does, so that a password with `@`, `:` or `/`
    /// works. `DATA_SOURCE_NAME` wins over it; it wins over `DATABASE_URL` and the `DB_*` variables.
    @Test func postgresExportersDataSourceURIAndUserAndPass() throws {
        let settings = try ConnectionSettings.fromEnvironment([
            "DATA_SOURCE_URI": "db.internal:6000/thebot_db?sslmode=require", "DATA_SOURCE_USER": "monitor",
            "DATA_SOURCE_PASS": "p@ss:w/rd %", "DATABASE_URL": "postgresql://other@elsewhere/db", "DB_HOST": "old",
        ])
        #expect(settings.source == .dataSourceURI)
        #expect(settings.target == ConnectionTarget(host: "db.internal", port: "6000", database: "thebot_db", user: "monitor"))
        #expect(settings.secrets == ["p@ss:w/rd %"])

        // A password without a user: libpq's default user, with that password (postgres_exporter's ":pass@").
        let passOnly = try ConnectionSettings.fromEnvironment(["DATA_SOURCE_URI": "db.internal/thebot_db", "DATA_SOURCE_PASS": "lonely-password"])
        #expect(passOnly.secrets == ["lonely-password"])

        let named = try ConnectionSettings.fromEnvironment(["DATA_SOURCE_NAME": "postgresql://a@first/db", "DATA_SOURCE_URI": "second/db"])
        #expect(named.source == .dataSourceName && named.target.host == "first")
    }

    /// The `…_FILE` forms hold the values; `DATA_SOURCE_PASS_FILE` is read again before every connection, as
    /// `--database.password-file` is (which wins over it).
    @Test func dataSourceFilesHoldTheValues() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "db.internal/thebot_db\n".write(toFile: directory + "/uri", atomically: true, encoding: .utf8)
        try "monitor\n".write(toFile: directory + "/user", atomically: true, encoding: .utf8)
        try "first-password\n".write(toFile: directory + "/pass", atomically: true, encoding: .utf8)
        let environment = ["DATA_SOURCE_URI_FILE": directory + "/uri", "DATA_SOURCE_USER_FILE": directory + "/user", "DATA_SOURCE_PASS_FILE": directory + "/pass"]
        let settings = try ConnectionSettings.fromEnvironment(environment)
        #expect(settings.target == ConnectionTarget(host: "db.internal", port: "5432", database: "thebot_db", user: "monitor"))
        #expect(settings.parameters.last?.value == "first-password")
        try "rotated-password\n".write(toFile: directory + "/pass", atomically: true, encoding: .utf8)
        #expect(try settings.refreshed().parameters.last?.value == "rotated-password")

        try "from-flag\n".write(toFile: directory + "/flag", atomically: true, encoding: .utf8)
        let flagged = try ConnectionSettings.fromEnvironment(environment, passwordFile: directory + "/flag")
        #expect(flagged.parameters.last?.value == "from-flag")

        // A file wins over its variable, as in postgres_exporter.
        let both = try ConnectionSettings.fromEnvironment(environment.merging(["DATA_SOURCE_USER": "other", "DATA_SOURCE_PASS": "other-password"]) { $1 })
        #expect(both.target.user == "monitor" && both.parameters.last?.value == "rotated-password")

        let missing = #expect(throws: PostgresError.self) {
            try ConnectionSettings.fromEnvironment(["DATA_SOURCE_URI_FILE": directory + "/nothing"])
        }
        #expect(missing?.message.contains("DATA_SOURCE_URI_FILE") == true)
    }

    /// Proved end to end in PostgresConnectionTests (the file's password authenticates); here: each line ending is
    /// left out, a file written on Windows (CRLF) too, and only line endings (a trailing space is the password's).
    @Test(arguments: ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", ""])
    func secretFilesAreReadWithoutTheirLineEnding(ending: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ("s3cret-from-file " + ending).write(toFile: directory + "/flag", atomically: true, encoding: .utf8)
        try ("db.internal/thebot_db" + ending).write(toFile: directory + "/uri", atomically: true, encoding: .utf8)
        try ("monitor" + ending).write(toFile: directory + "/user", atomically: true, encoding: .utf8)
        let settings = try ConnectionSettings.fromEnvironment(
            ["DATA_SOURCE_URI_FILE": directory + "/uri", "DATA_SOURCE_USER_FILE": directory + "/user"], passwordFile: directory + "/flag")
        #expect(settings.parameters.last?.value == "s3cret-from-file ")
        #expect(settings.target == ConnectionTarget(host: "db.internal", port: "5432", database: "thebot_db", user: "monitor"))
    }

    @Test func unreadablePasswordFileIsAConfigurationError() throws {
        let error = try #require(throws: PostgresError.self) {
            try ConnectionSettings.fromEnvironment([:], passwordFile: "/nonexistent/password")
        }
        #expect(error.kind == .configuration)
        #expect(error.message == "cannot read password file /nonexistent/password: No such file or directory")
    }

    /// libpq would take the part of the password after an unencoded '@' for the host and show it in every message.
    @Test func aURIWhosePasswordHoldsAnUnencodedAtSignIsRejectedWithoutEchoingIt() throws {
        let error = try #require(throws: PostgresError.self) {
            try ConnectionSettings.fromEnvironment(["DATABASE_URL": "postgresql://chat_exporter:Sekr1t@Tail-of-it@db.internal:5432/thebot_db"])
        }
        #expect(error.kind == .configuration)
        #expect(!error.description.contains("Sekr1t") && !error.description.contains("Tail-of-it"), "\(error)")
        #expect(error.description.contains("DATABASE_URL") && error.description.contains("%40"))
        // A '/' in the password ends the authority: the rest, password and all, would be the database name.
        for uri in ["postgresql://chat_exporter:/Sup3rS3cret@db.internal:5432/thebot_db", "postgresql://chat_exporter:2024/Tail-of-secret@db.internal/thebot_db"] {
            let slash = try #require(throws: PostgresError.self) { try ConnectionSettings.fromEnvironment(["DATABASE_URL": uri]) }
            #expect(slash.kind == .configuration && !slash.description.contains("S3cret") && !slash.description.contains("Tail-of"), "\(slash)")
        }
        // An '@' in a database name written %40, or in a query parameter, is no such case.
        for uri in ["postgresql://u:pw@db.internal/my%40db", "postgresql://u:pw@db.internal/?dbname=my@db", "postgresql://u@db/x?application_name=a@b"] {
            #expect(throws: Never.self, "\(uri)") { try ConnectionSettings.fromEnvironment(["DATABASE_URL": uri]) }
        }
        // Encoded, it is fine.
        let settings = try ConnectionSettings.fromEnvironment(["DATABASE_URL": "postgresql://chat_exporter:Sekr1t%40Tail-of-it@db.internal:5432/thebot_db"])
        #expect(settings.target.host == "db.internal")
    }

    /// A port or sslmode libpq refuses at every attempt is a configuration error at once, not a connection retried
    /// forever; the port is never echoed (an unencoded ':' or '/' in a URI's password puts a piece of it there).
    @Test func aPortOrSSLModeLibpqWouldRefuseIsAConfigurationError() throws {
        for environment in [
            ["DATABASE_URL": "postgresql://u:secret@127.0.0.1:notaport/x"],
            ["DATABASE_URL": "postgresql://chat_exporter:Sekr1t/db"],
            ["DATA_SOURCE_NAME": "host=db port=70000 dbname=x"],
            ["DB_HOST": "db", "DB_PORT": "54x2"],
        ] {
            let error = try #require(throws: PostgresError.self, "\(environment)") { try ConnectionSettings.fromEnvironment(environment) }
            #expect(error.kind == .configuration && error.description.contains("the port is not a number"), "\(error)")
            #expect(!["notaport", "Sekr1t", "70000", "54x2", "secret"].contains { error.description.contains($0) }, "\(error)")
            // The URI's hint only for a URI: DB_PORT is named, and holds no password to encode.
            #expect(error.description.contains("percent-encode") == (environment["DB_PORT"] == nil), "\(error)")
        }
        let dbPort = try #require(throws: PostgresError.self) { try ConnectionSettings.fromEnvironment(["DB_PORT": "notaport"]) }
        #expect(dbPort.description.contains("DB_PORT: the port is not a number"), "\(dbPort)")
        let sslmode = try #require(throws: PostgresError.self) {
            try ConnectionSettings.fromEnvironment(["DATABASE_URL": "postgresql://u@db/x?sslmode=requir"])
        }
        #expect(sslmode.kind == .configuration && sslmode.description.contains("sslmode must be one of"))
        // Several hosts with their ports, and every sslmode libpq knows, are fine.
        _ = try ConnectionSettings.fromEnvironment(["DATABASE_URL": "postgresql://u@db1:5432,db2:5433/x?sslmode=verify-full"])
        _ = try ConnectionSettings.fromEnvironment(["DATA_SOURCE_NAME": "host=db1,db2 port=5432, dbname=x sslmode=prefer"])
    }

    @Test func aBrokenDSNIsRejectedWithoutEchoingIt() throws {
        let error = try #require(throws: PostgresError.self) {
            try ConnectionSettings.fromEnvironment(["DATA_SOURCE_NAME": "host=x password=hunter2-secret bogus"])
        }
        #expect(error.kind == .configuration)
        #expect(!error.description.contains("hunter2-secret"))
        #expect(error.description.contains("DATA_SOURCE_NAME"))
        // What is wrong, without the pieces libpq quotes (one could be a password typed without its "=").
        #expect(error.message == "DATA_SOURCE_NAME: missing \"=\" after \"…\" in connection info string", "\(error.message)")
        let option = try #require(throws: PostgresError.self) {
            try ConnectionSettings.fromEnvironment(["DATABASE_URL": "postgresql://u:hunter2-secret@db/x?sslmdoe=require"])
        }
        #expect(option.message == "DATABASE_URL: invalid URI query parameter: \"…\"", "\(option.message)")
    }

    /// A password that a slip put in another field is shown nowhere: libpq takes `user=a,password=b` as a user name,
    /// and a connection string nested as the dbname of another as a database name, both shown in logs, `check` and
    /// the landing page, and quoted in the server's "does not exist".
    @Test func aPasswordInAnotherFieldIsWithheld() throws {
        let typo = try ConnectionSettings.fromEnvironment([
            "DATA_SOURCE_NAME": "host=db.internal port=5432 dbname=demo user=chat_exporter,password=TypoSecret77",
        ])
        #expect(typo.target.user == ConnectionTarget.withheld)
        #expect(!typo.target.description.contains("TypoSecret77"))
        #expect(!typo.loggable("FATAL:  role \"chat_exporter,password=TypoSecret77\" does not exist").contains("TypoSecret77"))

        let nested = try ConnectionSettings.fromEnvironment([
            "DATA_SOURCE_NAME": "host=db.internal user=chat_exporter dbname=postgresql://chat_exporter:Hunter2Secret@127.0.0.1/demo",
        ])
        #expect(nested.target.database == ConnectionTarget.withheld)
        #expect(!nested.target.description.contains("Hunter2Secret"))
        #expect(!nested.loggable("FATAL:  database \"postgresql://chat_exporter:Hunter2Secret@127.0.0.1/demo\" does not exist").contains("Hunter2Secret"))

        // DB_NAME holding a connection string: libpq expands it and uses its password, a secret too.
        let inName = try ConnectionSettings.fromEnvironment(["DB_HOST": "db.internal", "DB_NAME": "dbname=demo password=NestedSecret9"])
        #expect(inName.loggable("a message quoting NestedSecret9").contains("withheld"))
        // One that does not parse (libpq refuses it at connection time, quoting it): withheld whole.
        let broken = "dbname=demo password=Broken9Secret 'unterminated"
        let unparsed = try ConnectionSettings.fromEnvironment(["DB_HOST": "db.internal", "DB_NAME": broken])
        #expect(unparsed.loggable("FATAL:  database \"\(broken)\" does not exist").contains("withheld"))
        #expect(!unparsed.target.description.contains("Broken9Secret"), "\(unparsed.target)")

        // What is meant is shown as before.
        let plain = try ConnectionSettings.fromEnvironment(["DATABASE_URL": "postgresql://chat_exporter:Hunter2Secret@db.internal:6432/thebot_db"])
        #expect(plain.target == ConnectionTarget(host: "db.internal", port: "6432", database: "thebot_db", user: "chat_exporter"))
        #expect(plain.loggable("FATAL: database \"thebot_db\" does not exist") == "FATAL: database \"thebot_db\" does not exist")
    }

    /// A quote in the password (or around a whole URL, as env files for `docker run` keep them) shifted the pairs of
    /// quotes libpq's message was read by, and put the password outside them.
    @Test(arguments: [
        ["DATABASE_URL": "\"postgresql://chat_exporter:Hunter2Secret@127.0.0.1:5432/demo\""],
        ["DATABASE_URL": "postgresql://chat_exporter:7%Gq\"mZ2!pLxHunter2Secret@127.0.0.1:5432/demo"],
        ["DATA_SOURCE_NAME": "host=127.0.0.1 user=chat_exporter password=tr0ub4 \"dor&3horseHunter2Secret"],
        ["DATA_SOURCE_NAME": "host=127.0.0.1 password=\"=\"Hunter2Secret\" bogus"],
        ["DATABASE_URL": "postgresql://u:Hunter2Secret\"@[::1/demo"],
    ])
    func aQuoteInTheStringDoesNotLetThePasswordThrough(environment: [String: String]) throws {
        let error = try #require(throws: PostgresError.self) { try ConnectionSettings.fromEnvironment(environment) }
        #expect(error.kind == .configuration)
        for piece in ["Hunter2Secret", "Hunter2", "mZ2", "dor&3", "tr0ub4"] {
            #expect(!error.description.contains(piece), "\(error.description)")
        }
        #expect(error.description.contains("…"), "\(error.description)")
    }
}
