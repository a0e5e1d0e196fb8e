import Foundation
import Testing
import TestSupport

/// deploy/sql: the least-privilege role runs every default collector and nothing more; the indexes apply cleanly.
@Suite(.serialized)
struct DeploySQLTests {
    private var repository: URL { URL(fileURLWithPath: PackageLayout.root) }

    private func psqlFile(_ database: TestDatabase, _ file: String, variables: [String: String] = [:]) throws -> ProcessResult {
        var arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", database.server.host, "-p", "\(database.server.port)", "-U", database.server.superuser, "-d", database.name]
        for (name, value) in variables { arguments += ["-v", "\(name)=\(value)"] }
        arguments += ["-f", repository.appendingPathComponent(file).path]
        return try runProcess("psql", arguments, environment: ["PGPASSWORD": database.server.password, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
    }

    @Test func theExporterRoleRunsEveryDefaultCollectorAndCannotWriteOrReadMessageText() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let password = "role-\(UUID().uuidString)"
        let applied = try psqlFile(database, "deploy/sql/role.sql", variables: ["exporter_password": password])
        #expect(applied.status == 0, "\(applied.stderr)")
        let again = try psqlFile(database, "deploy/sql/role.sql", variables: ["exporter_password": password])
        #expect(again.status == 0, "role.sql is idempotent: \(again.stderr)")
        // Re-applied for an upgrade without the password, or with an empty one (`-v exporter_password="$UNSET"`,
        // which PostgreSQL would take as "clear it"): the role keeps the one it has (checked just below).
        let withoutPassword = try psqlFile(database, "deploy/sql/role.sql")
        #expect(withoutPassword.status == 0, "\(withoutPassword.stderr)")
        let emptyPassword = try psqlFile(database, "deploy/sql/role.sql", variables: ["exporter_password": "", "backfill_password": ""])
        #expect(emptyPassword.status == 0, "\(emptyPassword.stderr)")

        let dsn = "host=\(database.server.host) port=\(database.server.port) dbname=\(database.name) user=chat_exporter password=\(password)"
        let check = try runProcess(Binary.chatExporter, ["check", "--output", "json"], environment: ["DATA_SOURCE_NAME": dsn])
        #expect(check.status == 0, "every collector runs under the role: \(check.stdout)")
        #expect(!check.stdout.contains("\"section\" : \"Collectors\""))

        let environment = ["PGPASSWORD": password, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let base = ["-X", "-h", database.server.host, "-p", "\(database.server.port)", "-U", "chat_exporter", "-d", database.name, "-c"]
        let readText = try runProcess("psql", base + ["SELECT message_text FROM messages"], environment: environment)
        #expect(readText.status != 0)
        #expect(readText.stderr.contains("permission denied"))
        let write = try runProcess("psql", base + ["BEGIN READ WRITE; INSERT INTO users (email) VALUES ('x@example.com'); COMMIT"], environment: environment)
        #expect(write.status != 0 || write.stderr.contains("permission denied"))
        #expect(try database.scalar("SELECT count(*) FROM users") == "0")
    }

    /// A managed service's administrator is no superuser: CREATEROLE, owning the platform's tables and database.
    /// role.sql must apply as such a role (ALTER ROLE ... NOSUPERUSER is a superuser's statement even when nothing
    /// changes).
    @Test func theRolesApplyAsAnAdministratorWithCreateRoleThatOwnsTheTables() throws {
        // A cluster of its own: the administrator creates chat_exporter and chat_backfill itself, as on a fresh
        // managed service (since PostgreSQL 16 a CREATEROLE role may alter only the roles it administers).
        let server = try TestPostgres.makePrivateCluster()
        defer { server.destroy() }
        let database = try server.createDatabase()
        let administrator = "chat_admin_\(UUID().uuidString.prefix(8).lowercased())"
        let administratorPassword = "admin-\(UUID().uuidString)"
        try database.execute("""
            CREATE ROLE \(administrator) LOGIN CREATEROLE PASSWORD '\(administratorPassword)';
            ALTER DATABASE \(database.name) OWNER TO \(administrator);
            DO $$ DECLARE t text; BEGIN
              FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
                EXECUTE format('ALTER TABLE %I OWNER TO \(administrator)', t);
              END LOOP;
            END $$;
            """)
        for _ in 0..<2 {
            let applied = try runProcess("psql", [
                "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", database.server.host, "-p", "\(database.server.port)", "-U", administrator, "-d", database.name,
                "-v", "exporter_password=exp-\(UUID().uuidString)", "-v", "backfill_password=bf-\(UUID().uuidString)",
                "-f", repository.appendingPathComponent("deploy/sql/role.sql").path,
            ], environment: ["PGPASSWORD": administratorPassword, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
            #expect(applied.status == 0, "\(applied.stderr)")
        }
        #expect(try database.scalar("""
            SELECT has_column_privilege('chat_exporter', 'bookings', 'status', 'SELECT')
               AND has_column_privilege('chat_backfill', 'chat_rooms', 'teacher_id', 'INSERT')
               AND NOT has_column_privilege('chat_backfill', 'chat_rooms', 'deleted_at', 'UPDATE')
               AND NOT (SELECT rolsuper OR rolreplication OR rolbypassrls OR rolcreaterole FROM pg_roles WHERE rolname = 'chat_exporter')
            """) == "t")
    }

    @Test func theIndexesApplyTwiceWithoutErrorAndAreValid() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        // Indexes an earlier version of the file created, and this one replaces, are dropped.
        try database.execute("CREATE INDEX chat_exporter_lessons_live_teacher ON lessons (teacher_id) INCLUDE (end_time) WHERE deleted_at IS NULL")
        try database.execute("CREATE INDEX chat_exporter_bookings_live_student ON bookings (student_id, lesson_id) WHERE deleted_at IS NULL")
        for _ in 0..<2 {
            let result = try psqlFile(database, "deploy/sql/indexes.sql")
            #expect(result.status == 0, "\(result.stderr)")
        }
        // Every index the file names exists and is valid, under the name the file gives it.
        let text = try String(contentsOf: repository.appendingPathComponent("deploy/sql/indexes.sql"), encoding: .utf8)
        let names = text.split(separator: "\n")
            .filter { $0.hasPrefix("CREATE INDEX CONCURRENTLY IF NOT EXISTS ") }
            .compactMap { $0.split(separator: " ").last.map(String.init) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(names.count >= 11, "\(names)")
        let valid = try database.scalar("""
            SELECT string_agg(c.relname, ',' ORDER BY c.relname COLLATE "C") FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relname LIKE 'chat\\_exporter\\_%' AND i.indisvalid
            """)
        #expect(valid == names.joined(separator: ","))
    }
}
