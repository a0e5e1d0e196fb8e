public import ExporterCore
import Exposition
import FoundationEssentials
public import PostgresClient

extension CheckReport {
    /// What counts as a problem.
    public struct Thresholds: Sendable {
        /// A booking left without a room for longer than this is a problem (younger ones are a warning).
        public var gracePeriod: Duration = .seconds(300)
        /// An audit error ratio above this over the last hour is a warning.
        public var auditErrorRatioWarning: Double = 0.05
        /// Rows dated further ahead of now() than this mean the platform's timestamps are read in the wrong zone (the
        /// threshold of ChatExporterTimeZoneMismatch).
        public var timestampsAhead: Duration = .seconds(300)
        /// A message pending moderation for longer than this is a warning (the threshold of
        /// ChatCreationModerationBacklog).
        public var moderationOldest: Duration = .seconds(900)
        /// A standby whose replay trails its primary by more than this is a warning (ChatExporterStandbyLagging).
        public var standbyLag: Duration = .seconds(300)
        public init() {}
    }

    /// Builds the report from one run of every collector, in the spirit of the old verification script. `target` is
    /// where a connection went (``ConnectionPool/connectedTarget``), else where the settings point. `shipped` names
    /// the collectors whose SQL is the default collectors' own, which deploy/sql/role.sql grants the exporter's role
    /// (nil: all of them).
    public init(target: ConnectionTarget, runs: [CollectorRun], thresholds: Thresholds = Thresholds(), shipped: Set<String>? = nil) {
        let families = runs.flatMap { run -> [MetricFamily] in
            if case .success(let output) = run.outcome { return output.families }
            return []
        }
        let lookup = MetricLookup(families: families)
        let failures = runs.compactMap { run -> (String, CollectorFailure)? in
            if case .failure(let failure) = run.outcome { return (run.definition.name, failure) }
            return nil
        }
        let connectionFailure = failures.first { $0.1.reason == .connection }
        let connected = !(runs.isEmpty || (connectionFailure != nil && failures.count == runs.count))
        self.connection = Connection(
            host: target.host, port: target.port, database: target.database, user: target.user, service: target.service,
            connected: connected, error: connected ? nil : connectionFailure.map { $0.1.description } ?? "no collector ran")
        // A role without the grants, or a database without the platform's tables, is not a finding about the platform:
        // the report could not be made (exit 2), and without the tables the catalog checks' "missing" would read as
        // an incident.
        let missingTables = failures.first { _, failure in
            failure.sqlState == "42P01" && ["bookings", "lessons", "chat_rooms"].contains { Self.names(failure.message, $0) }
        }
        let denied = failures.first { $0.1.sqlState == "42501" }
        // A session setting the server refused (--database.timezone) fails every collector: the exporter's
        // configuration, exit 2, as a flag the binary itself refuses.
        let settingsRejected = failures.first { $0.1.message.hasPrefix(PostgresError.sessionSettingsRejected) }
        if let (_, failure) = settingsRejected {
            self.cannotCheck = "\(failure.message): fix the flag"
        } else if let (collector, failure) = missingTables {
            self.cannotCheck = "the platform's tables are not in database \(target.database) (collector \(collector): \(failure.message)): is it the right database?"
        } else if let (collector, failure) = denied {
            self.cannotCheck = shipped.map { $0.contains(collector) } ?? true
                ? "the role \(target.user) may not read what collector \(collector) needs (\(failure.message)): apply deploy/sql/role.sql, or connect as the chat_exporter role"
                : "the role \(target.user) may not read what collector \(collector) needs (\(failure.message)): deploy/sql/role.sql grants only the columns the default collectors read; grant the ones this collector reads (GRANT SELECT (column, …) ON table TO \(target.user))"
        } else {
            self.cannotCheck = nil
        }
        var builder = CheckBuilder(lookup: lookup, thresholds: thresholds)
        if connected && missingTables == nil && settingsRejected == nil {
            builder.addStandbyCheck()
            builder.addSchemaChecks()
            builder.addClockCheck()
            builder.addStatistics()
            builder.addBacklogChecks()
            builder.addIntegrityChecks()
            builder.addLagChecks()
            builder.addAuditChecks()
            for (collector, failure) in failures {
                builder.add("Collectors", collector, .problem, "collector \(collector) failed (\(failure.reason.rawValue)): \(failure.description)")
            }
        }
        self.checks = builder.checks
        self.metrics = lookup.all.mapValues { MetricValue(value: $0) }
    }

    /// Whether `message` names the relation `name` as a word of its own, whatever quotes the server's language puts
    /// around it (`"bookings"`, `»bookings«`): `lc_messages` is the server's, and only a superuser may change it.
    static func names(_ message: String, _ name: String) -> Bool {
        let bytes = Array(message.utf8), word = Array(name.utf8)
        func isIdentifier(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        var start = 0
        while let range = bytes[start...].firstRange(of: word) {
            let before = range.lowerBound == 0 || !isIdentifier(bytes[range.lowerBound - 1])
            let after = range.upperBound == bytes.count || !isIdentifier(bytes[range.upperBound])
            if before && after { return true }
            start = range.lowerBound + 1
        }
        return false
    }
}


/// Turns metric values into checks; one method per section of the report.
struct CheckBuilder {
    let lookup: MetricLookup
    let thresholds: CheckReport.Thresholds
    private(set) var checks: [CheckReport.Check] = []

    init(lookup: MetricLookup, thresholds: CheckReport.Thresholds) {
        self.lookup = lookup
        self.thresholds = thresholds
    }

    mutating func add(_ section: String, _ name: String, _ status: CheckReport.Status, _ message: String) {
        checks.append(CheckReport.Check(section: section, name: name, status: status, message: message))
    }

    /// A value the collectors did not produce is reported once, as a problem: `check` never guesses.
    private mutating func require(_ section: String, _ name: String, _ metric: String, _ labels: [String: String] = [:]) -> Double? {
        if let value = lookup.value(metric, labels) { return value }
        add(section, name, .problem, "not collected (\(MetricLookup.key(metric, labels.map { ($0.key, $0.value) })) missing)")
        return nil
    }

    mutating func addSchemaChecks() {
        for trigger in ["booking_create_chat", "booking_create_chat_update"] {
            guard let present = require("Triggers", trigger, "chat_trigger_present", ["trigger": trigger]),
                  let enabled = require("Triggers", trigger, "chat_trigger_enabled", ["trigger": trigger]) else { continue }
            let event = trigger.hasSuffix("_update") ? "an UPDATE of status" : "INSERT"
            if present == 0 {
                add("Triggers", trigger, .problem, "trigger '\(trigger)' is missing on bookings: new active bookings get no chat")
            } else if enabled == 0 {
                add("Triggers", trigger, .problem,
                    "trigger '\(trigger)' exists but does NOT fire on \(event) for each row calling create_chat_on_booking_active() "
                        + "(disabled, replica-only or redefined: SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = '\(trigger)'): "
                        + "new active bookings get no chat")
            } else {
                add("Triggers", trigger, .ok, "trigger '\(trigger)' exists, fires on \(event) for each row and is enabled")
            }
        }
        let function = "create_chat_on_booking_active"
        if let present = require("Schema", function, "chat_function_present", ["function": function]) {
            present == 1
                ? add("Schema", function, .ok, "function '\(function)()' exists")
                : add("Schema", function, .problem, "function '\(function)()' is missing")
        }
        if let present = require("Schema", "unique_constraint", "chat_room_unique_constraint_present") {
            present == 1
                ? add("Schema", "unique_constraint", .ok, "unique constraint on chat_rooms (teacher_id, student_id) exists")
                : add("Schema", "unique_constraint", .problem, "no unique constraint on chat_rooms (teacher_id, student_id) that ON CONFLICT can use: every booking activation fails, and duplicates are possible")
        }
    }

    mutating func addStatistics() {
        let section = "Statistics"
        let lessons = ["completed", "upcoming", "no_end_time"].map { lookup.value("chat_lessons", ["state": $0]) }
        if lessons.allSatisfy({ $0 != nil }) {
            let values = lessons.map { Int($0!) }
            add(section, "lessons", .ok, "lessons: \(values.reduce(0, +)) live (\(values[0]) completed, \(values[1]) upcoming, \(values[2]) without end_time)")
        }
        let statuses = lookup.all.filter { $0.key.hasPrefix("chat_bookings{status=") }.sorted { $0.key < $1.key }
        if !statuses.isEmpty {
            let parts = statuses.map { key, value in "\(Int(value)) \(key.dropFirst("chat_bookings{status=\"".count).dropLast(2))" }
            add(section, "bookings", .ok, "bookings: \(parts.joined(separator: ", ")); \(Int(lookup.value("chat_bookings_active") ?? 0)) active with a live lesson")
        }
        if let live = lookup.value("chat_rooms", ["state": "live"]), let deleted = lookup.value("chat_rooms", ["state": "deleted"]) {
            let withMessages = lookup.value("chat_rooms_with_messages").map { ", \(Int($0)) with messages, \(Int(live - $0)) empty" } ?? ""
            let today = lookup.value("chat_rooms_created_today").map { ", \(Int($0)) created today" } ?? ""
            add(section, "rooms", .ok, "chat rooms: \(Int(live)) live, \(Int(deleted)) soft-deleted\(withMessages)\(today)")
        }
        if let pending = lookup.value("chat_messages_pending_moderation"), let oldest = lookup.value("chat_messages_pending_moderation_oldest_seconds") {
            let late = pending > 0 && oldest > thresholds.moderationOldest.secondsValue
            add(section, "moderation", late ? .warning : .ok, "messages pending moderation: \(Int(pending))"
                + (pending > 0 ? " (oldest \(Self.age(oldest)))" : "")
                + (late ? ", past \(Self.age(thresholds.moderationOldest.secondsValue)): their recipients do not see them (ChatCreationModerationBacklog)" : ""))
        }
    }

    mutating func addBacklogChecks() {
        let section = "Bookings without a room"
        let oldest = "chat_bookings_without_room_oldest_seconds"
        guard let missing = require(section, "missing", "chat_bookings_without_room", ["reason": "missing"]),
              let deleted = require(section, "room_deleted", "chat_bookings_without_room", ["reason": "room_deleted"]),
              let oldestMissing = require(section, "oldest_missing", oldest, ["reason": "missing"]),
              let oldestDeleted = require(section, "oldest_room_deleted", oldest, ["reason": "room_deleted"]) else { return }
        let total = missing + deleted
        if total == 0 {
            add(section, "without_room", .ok, "every active booking has a live chat room")
            return
        }
        // Only a pair without any room is late: a booking blocked by a deleted room waits for a decision instead.
        let overGrace = missing > 0 && oldestMissing > thresholds.gracePeriod.secondsValue
        var message = "\(Int(total)) active booking\(total == 1 ? "" : "s") without a live room (\(Int(missing)) missing, \(Int(deleted)) blocked by a soft-deleted room)"
        if missing > 0 {
            message += "; oldest missing \(Self.age(oldestMissing))"
                + (overGrace ? ", past the \(Self.age(thresholds.gracePeriod.secondsValue)) grace period: run chat-exporter backfill" : ", within the grace period")
        }
        add(section, "without_room", overGrace ? .problem : .warning, message)
        if deleted > 0 {
            add(section, "room_deleted", .warning, "\(Int(deleted)) booking\(deleted == 1 ? "" : "s") whose pair has only a soft-deleted room (oldest \(Self.age(oldestDeleted))): the trigger cannot recreate it (chat-exporter backfill --restore-deleted)")
        }
    }

    mutating func addIntegrityChecks() {
        let section = "Integrity"
        if let orphaned = require(section, "orphaned", "chat_bookings_orphaned") {
            orphaned == 0
                ? add(section, "orphaned", .ok, "no orphaned bookings (active bookings of soft-deleted lessons)")
                : add(section, "orphaned", .warning, "\(Int(orphaned)) active booking\(orphaned == 1 ? "" : "s") of soft-deleted lessons: data hygiene, no chat is lost (ChatCreationOrphanedBookings)")
        }
        if let invalid = require(section, "participants", "chat_rooms_invalid_participants") {
            invalid == 0
                ? add(section, "participants", .ok, "all chat rooms have a valid teacher and student")
                : add(section, "participants", .problem, "\(Int(invalid)) live chat rooms have a missing user or the same teacher and student")
        }
        if let duplicates = require(section, "duplicates", "chat_room_duplicate_pairs") {
            duplicates == 0
                ? add(section, "duplicates", .ok, "no duplicate chat rooms")
                : add(section, "duplicates", .problem, "\(Int(duplicates)) (teacher, student) pairs have more than one live room")
        }
    }

    mutating func addLagChecks() {
        let section = "Creation lag"
        for window in ["24h", "7d"] {
            guard let average = lookup.value("chat_room_creation_lag_avg_seconds", ["window": window]),
                  let maximum = lookup.value("chat_room_creation_lag_max_seconds", ["window": window]),
                  let late = lookup.value("chat_rooms_created_late", ["window": window]),
                  let slow = lookup.value("chat_rooms_created_slow", ["window": window]) else { continue }
            if late == 0 {
                add(section, window, .ok, "last \(window): no room was created after its lesson ended")
            } else {
                add(section, window, slow > 0 ? .warning : .ok,
                    "last \(window): \(Int(late)) rooms created after the lesson ended, average lag \(Self.age(average)), max \(Self.age(maximum)), \(Int(slow)) slower than the threshold")
            }
        }
    }

    /// On a hot standby every figure is as old as its replay: said first, a warning past the threshold of
    /// ChatExporterStandbyLagging. Nothing is said on a primary, or without the chat_database collector.
    mutating func addStandbyCheck() {
        guard lookup.value("chat_database_in_recovery") == 1 else { return }
        // An archive-only standby has no WAL receiver either, but its lag reads 0; a cut-off one's never does.
        let lag = lookup.value("chat_database_replay_lag_seconds")
        let cutOff = lookup.value("chat_database_wal_receiver_running") == 0 && lag != 0
        guard let lag else {
            add("Database", "standby", .warning,
                cutOff
                    ? "this is a hot standby cut off from its primary (no WAL receiver) that has replayed no transaction since it started: how old its figures are is unknown"
                    : "this is a hot standby with WAL waiting and no transaction replayed since it started: how old its figures are is unknown (is it cut off from its primary?)")
            return
        }
        if cutOff {
            add("Database", "standby", .warning,
                "this is a hot standby cut off from its primary (no WAL receiver); its last replayed transaction is \(Self.age(lag)) old: every figure below may be that old")
        } else if lag > thresholds.standbyLag.secondsValue {
            add("Database", "standby", .warning,
                "this is a hot standby whose replay trails its primary by \(Self.age(lag)): every figure below is that old (rooms the trigger made since are missing here)")
        } else {
            add("Database", "standby", .ok, "this is a hot standby, its replay \(lag == 0 ? "caught up" : "\(Self.age(lag)) behind") (figures are as old as its replay)")
        }
    }

    /// Rows dated ahead of now() mean the session reads the platform's timestamps in the wrong zone: every age and
    /// window of the other checks is then off by that much. Skipped when the collectors file has no chat_clock.
    mutating func addClockCheck() {
        guard let ahead = lookup.value("chat_timestamps_ahead_seconds") else { return }
        if ahead > thresholds.timestampsAhead.secondsValue {
            add("Time zone", "timestamps", .problem,
                "the newest rows are dated \(Self.age(ahead)) ahead of now() read in the session zone: the platform writes its "
                    + "timestamps in a zone ahead of --database.timezone, so every age and time window below is off by that much")
        } else {
            add("Time zone", "timestamps", .ok, "no row is dated ahead of now() in the session zone (--database.timezone)")
        }
    }

    mutating func addAuditChecks() {
        let section = "Audit log"
        let ratios = lookup.all.filter { $0.key.hasPrefix("chat_audit_error_ratio{") && $0.key.contains("window=\"1h\"") }.sorted { $0.key < $1.key }
        if ratios.isEmpty {
            if lookup.collected("chat_audit_error_ratio") {
                add(section, "audit", .ok, "no chat audit events in the last hour")
            } else {
                add(section, "audit", .problem, "not collected (chat_audit_error_ratio missing)")
            }
            return
        }
        for (key, ratio) in ratios {
            let action = LabelKey.labelValue(in: key, "action") ?? key
            add(section, action, ratio > thresholds.auditErrorRatioWarning ? .warning : .ok,
                "\(action): \(TextFormatting.fixed(ratio * 100, decimals: 2))% failures in the last hour")
        }
    }

    static func age(_ seconds: Double) -> String {
        // +Inf: a row without created_at (the collectors report its age as unknown, never as 0).
        guard seconds.isFinite else { return seconds > 0 ? "unknown (a row without created_at)" : "unknown" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60)s" }
        if total < 86_400 { return "\(total / 3600)h\(total % 3600 / 60)m" }
        return "\(total / 86_400)d\(total % 86_400 / 3600)h"
    }
}

extension Duration {
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

enum LabelKey {
    /// The value of one label in a `name{a="x",b="y"}` key (values here never hold quotes).
    static func labelValue(in key: String, _ label: String) -> String? {
        guard let range = key.firstRange(of: "\(label)=\"") else { return nil }
        let rest = key[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}
