import Foundation
import Testing
import TestSupport

/// deploy/systemd: the units pass `systemd-analyze verify`, are hardened, run flags the binary has, and the timer
/// keeps the old schedule (every 30 minutes, up to 2 minutes of random delay, persistent).
struct SystemdUnitTests {
    static let directory = "deploy/systemd"
    static let units = ["chat-exporter.service", "chat-exporter.socket", "chat-backfill.service", "chat-backfill.timer"]
    static let installedBinary = "/usr/local/bin/chat-exporter"

    private func unit(_ name: String) throws -> UnitFile {
        UnitFile(name: name, text: try Repository.read("\(Self.directory)/\(name)"))
    }

    private func systemdAnalyze() throws -> String {
        guard let path = findExecutable("systemd-analyze") else {
            throw TestSupportError("systemd-analyze is missing: apt-get install systemd (scripts/test.sh does)")
        }
        return path
    }

    /// Copies the units to a fresh directory with ExecStart pointing at the built binary (verify checks that the
    /// program exists), and runs `systemd-analyze verify` on all of them. Returns its result and the directory.
    private func verify(_ texts: [String: String]) throws -> (ProcessResult, String) {
        let directory = try TemporaryDirectory(prefix: "units").path
        let binary = try Binary.chatExporter
        for (name, text) in texts {
            try text.replacingOccurrences(of: Self.installedBinary, with: binary)
                .write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
        let result = try runProcess(
            try systemdAnalyze(), ["verify"] + texts.keys.sorted().map { "\(directory)/\($0)" },
            environment: plainEnvironment(["SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""]), timeout: .seconds(60))
        return (result, directory)
    }

    @Test func everyUnitPassesSystemdAnalyzeVerifyWithoutAWarning() throws {
        var texts: [String: String] = [:]
        for name in Self.units { texts[name] = try Repository.read("\(Self.directory)/\(name)") }
        let (result, directory) = try verify(texts)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        // verify exits 0 on unknown keys and bad values: it only warns. Any line about our units is a failure.
        let complaints = result.stderr.split(separator: "\n").filter { line in Self.units.contains { line.contains($0) } }
        #expect(complaints.isEmpty, "\(complaints.joined(separator: "\n"))")
    }

    @Test func theVerificationNoticesAMistake() throws {
        // The check above is only worth something if a broken unit fails it.
        let broken = try Repository.read("\(Self.directory)/chat-exporter.service")
            .replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSystem=very\nProtectSystm=strict")
        let (result, directory) = try verify(["chat-exporter.service": broken])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(result.stderr.contains("chat-exporter.service"))
        #expect(result.stderr.contains("ProtectSystm"))

        let missingBinary = try Repository.read("\(Self.directory)/chat-exporter.service")
            .replacingOccurrences(of: Self.installedBinary, with: "/nonexistent/chat-exporter")
        let (second, secondDirectory) = try verify(["chat-exporter.service": missingBinary])
        defer { try? FileManager.default.removeItem(atPath: secondDirectory) }
        #expect(second.status != 0)
    }

    @Test func bothServicesAreHardened() throws {
        for name in ["chat-exporter.service", "chat-backfill.service"] {
            let unit = try unit(name)
            let expected: [String: String] = [
                "DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                "NoNewPrivileges": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
                "CapabilityBoundingSet": "", "SystemCallFilter": "@system-service", "PrivateDevices": "yes",
            ]
            for (key, value) in expected {
                #expect(unit.value("Service", key) == value, "\(name): \(key)")
            }
            #expect(unit.value("Service", "MemoryMax") != nil, "\(name): MemoryMax")
            #expect(unit.value("Service", "EnvironmentFile")?.hasPrefix("/etc/chat-exporter/") == true, "\(name): EnvironmentFile")
            #expect(unit.value("Service", "User") == nil, "\(name): DynamicUser, no fixed user")
        }
        let exporter = try unit("chat-exporter.service")
        #expect(exporter.value("Service", "EnvironmentFile") == "/etc/chat-exporter/chat-exporter.env")
        #expect(exporter.value("Service", "ExecReload") == "/bin/kill -HUP $MAINPID")
        #expect(exporter.value("Service", "Restart") == "on-failure")
        // A configuration error (exit 64) is not restarted every 5 s for ever.
        #expect(exporter.value("Service", "RestartPreventExitStatus") == "64")
        #expect(exporter.value("Unit", "StartLimitBurst") != nil)
        // Room for --web.threads=64 twice over (a web reload runs the new server beside the old) and its own threads.
        #expect((Int(exporter.value("Service", "TasksMax") ?? "") ?? 0) >= 2 * 64 + 16)
        #expect(exporter.value("Install", "WantedBy") == "multi-user.target")

        let backfill = try unit("chat-backfill.service")
        #expect(backfill.value("Service", "Type") == "oneshot")
        #expect(backfill.value("Service", "EnvironmentFile") == "/etc/chat-exporter/chat-backfill.env")
        #expect(backfill.value("Install", "WantedBy") == nil, "started by its timer only")
    }

    @Test func theServicesRunFlagsTheBinaryHas() throws {
        for (name, subcommand) in [("chat-exporter.service", "serve"), ("chat-backfill.service", "backfill")] {
            let command = try #require(try unit(name).value("Service", "ExecStart"))
            let words = command.split(separator: " ").map(String.init).filter { !$0.hasPrefix("$") }
            #expect(words.first == Self.installedBinary)
            #expect(words.dropFirst().first == subcommand, "\(name) runs `\(subcommand)`")
            let known = try BinaryFlags.of(subcommand)
            for flag in BinaryFlags.names(in: words) {
                #expect(known.contains(flag), "\(name): chat-exporter \(subcommand) has no \(flag)")
            }
        }
        // Scheduled runs report blocked pairs without failing on them (they wait for a person).
        #expect(try unit("chat-backfill.service").value("Service", "ExecStart")?.contains(" --allow-blocked ") == true)
    }

    /// The socket hands the service (same name) the port the service would bind itself, and says to pass the flag
    /// the binary takes for it.
    @Test func theSocketHandsTheServiceOneSocketAndNamesItsFlag() throws {
        let socket = try unit("chat-exporter.socket")
        #expect(socket.values("Socket", "ListenStream") == ["9488"])
        #expect(socket.value("Socket", "Service") == nil, "chat-exporter.service by its name")
        let text = try Repository.read("\(Self.directory)/chat-exporter.socket")
        #expect(BinaryFlags.extractFlags(text).subtracting(["--now"]) == ["--web.systemd-socket"], "systemctl's --now aside")
        #expect(try BinaryFlags.of("serve").contains("--web.systemd-socket"))
    }

    @Test func theTimerRunsTheBackfillEveryThirtyMinutesLikeTheOldOne() throws {
        let timer = try unit("chat-backfill.timer")
        #expect(timer.value("Timer", "OnCalendar") == "*:0/30")
        #expect(timer.value("Timer", "RandomizedDelaySec") == "2min")
        #expect(timer.value("Timer", "Persistent") == "true")
        #expect(timer.value("Timer", "Unit") == "chat-backfill.service")
        #expect(timer.value("Install", "WantedBy") == "timers.target")

        let calendar = try runProcess(try systemdAnalyze(), ["calendar", "--iterations=3", "*:0/30"], environment: plainEnvironment(), timeout: .seconds(30))
        #expect(calendar.status == 0, "\(calendar.stderr)")
        #expect(calendar.stdout.contains("Normalized form: *-*-* *:00/30:00"))
    }

    @Test func theEnvironmentExamplesHoldOnlyKnownSettings() throws {
        let known: Set<String> = [
            "DATA_SOURCE_NAME", "DATABASE_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD",
            "PGSSLMODE", "PGSSLROOTCERT", "CHAT_EXPORTER_ARGS", "CHAT_BACKFILL_ARGS",
        ]
        for (file, user) in [("chat-exporter.env.example", "chat_exporter"), ("chat-backfill.env.example", "chat_backfill")] {
            let text = try Repository.read("\(Self.directory)/\(file)")
            var settings: [String: String] = [:]
            for line in text.split(separator: "\n") {
                var body = line.trimmingCharacters(in: .whitespaces)
                if body.isEmpty { continue }
                if body.hasPrefix("#") {
                    // Commented-out settings must be valid too.
                    body = body.dropFirst().trimmingCharacters(in: .whitespaces)
                    guard let equals = body.firstIndex(of: "="), body[..<equals].allSatisfy({ $0.isUppercase || $0 == "_" }), !body[..<equals].isEmpty else { continue }
                    #expect(known.contains(String(body[..<equals])), "\(file): \(body)")
                    continue
                }
                #expect(!body.hasPrefix("export "), "\(file): systemd does not take `export`")
                let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                #expect(parts.count == 2, "\(file): \(body)")
                settings[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
                #expect(known.contains(String(parts[0])), "\(file): unknown setting \(parts[0])")
            }
            #expect(settings["DB_USER"] == user, "\(file) uses the \(user) role")
        }
    }
}
