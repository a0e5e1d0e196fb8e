import Foundation
import Testing
import TestSupport

/// docs/operator-commands.md's crontab line, for hosts without systemd, run as cron runs it (`/bin/sh -c`, a bare
/// environment) with the environment file filled in as deploy/systemd/chat-backfill.env.example says: the password
/// in a file that `CHAT_BACKFILL_ARGS` names, a value with a space.
@Suite(.serialized)
struct BackfillCronTests {
    @Test func theCrontabLineRunsTheBackfillAsTheEnvironmentFileSays() throws {
        let server = try TestPostgres.makePrivateCluster()
        defer { server.destroy() }
        let database = try Fixture.make(on: server)
        let password = "bf-\(UUID().uuidString)"
        try Fixture.applyRoles(database, exporter: "exp-\(UUID().uuidString)", backfill: password)
        let directory = FileManager.default.temporaryDirectory.path + "/chat-exporter-cron-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let passwordFile = directory + "/backfill-password"
        try (password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)

        var settings = try String(contentsOfFile: PackageLayout.path("deploy/systemd/chat-backfill.env.example"), encoding: .utf8)
        for (line, filled) in [
            ("DB_HOST=db.internal", "DB_HOST=\(server.host)"), ("DB_PORT=5432", "DB_PORT=\(server.port)"),
            ("DB_NAME=thebot_db", "DB_NAME=\(database.name)"),
            ("PGSSLMODE=require", "PGSSLMODE=disable"), // the test cluster has no TLS
            ("CHAT_BACKFILL_ARGS=", "CHAT_BACKFILL_ARGS='--database.password-file=\(passwordFile) --batch-size=2'"),
        ] {
            let pattern = "\n" + line + "\n"
            #expect(settings.contains(pattern), "the example sets \(line)")
            settings = settings.replacingOccurrences(of: pattern, with: "\n" + filled + "\n")
        }
        let settingsFile = directory + "/chat-backfill.env"
        try settings.write(toFile: settingsFile, atomically: true, encoding: .utf8)

        let document = try String(contentsOfFile: PackageLayout.path("docs/operator-commands.md"), encoding: .utf8)
        let block = try #require(document.components(separatedBy: "```cron\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let entry = try #require(block.split(separator: "\n").first { !$0.hasPrefix("#") })
        // The five schedule fields, then the command cron gives to /bin/sh.
        var command = entry.split(separator: " ", maxSplits: 5).last.map(String.init) ?? ""
        let log = directory + "/chat-backfill.log"
        let binary = try Binary.chatExporter
        for (path, local) in [
            ("/etc/chat-exporter/chat-backfill.env", settingsFile), ("/usr/local/bin/chat-exporter", binary),
            ("/var/log/chat-backfill.log", log),
        ] {
            #expect(command.contains(path), "the crontab line names \(path)")
            command = command.replacingOccurrences(of: path, with: local)
        }

        let result = try runProcess("/bin/sh", ["-c", command], environment: ["PATH": "/usr/bin:/bin", "HOME": directory], timeout: .seconds(120))
        let written = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(result.status == 0, "\(written)\(result.stderr)")
        #expect(try Fixture.livePairs(database) == Fixture.missing.union([Fixture.live]), "\(written)")
        #expect(written.contains("\"level\":\"info\""), "JSON log lines: \(written)")
        #expect(!written.contains(password))
    }
}
