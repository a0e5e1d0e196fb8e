import Testing

/// The complete exposition a scenario should produce: every series with its exact value (or, for the ages
/// that grow while the test runs, a tight band). Any series that is missing, extra or different fails.
struct ExpectedMetrics {
    /// What one series must hold.
    enum Value: CustomStringConvertible {
        case exactly(Double)
        /// At least `lower`, below `upper`: for `now() - created_at` ages, which grow with the test's run time.
        case band(lower: Double, upper: Double)

        func matches(_ actual: Double, tolerance: Double = 0) -> Bool {
            switch self {
            case .exactly(let expected): actual == expected || abs(actual - expected) <= tolerance * max(1, abs(expected))
            case .band(let lower, let upper): actual >= lower && actual < upper
            }
        }

        var description: String {
            switch self {
            case .exactly(let expected): "\(expected)"
            case .band(let lower, let upper): "[\(lower), \(upper))"
            }
        }
    }

    private(set) var series: [SeriesKey: Value]

    /// An age is asserted within this many seconds above the offset the fixture wrote.
    /// Generous: the whole suite runs at once on a small machine, and an age only has to tell its offset apart.
    static let ageSlack = 120.0

    /// What every collector exposes for the schema without a row: every count 0, every "always present"
    /// labelled series there, the triggers, the function and the unique constraint present, and no
    /// `chat_bookings` or audit series (those are labelled by the data).
    static var emptyDatabase: ExpectedMetrics {
        var expected = ExpectedMetrics(series: [:])
        for trigger in ["booking_create_chat", "booking_create_chat_update"] {
            expected["chat_trigger_present", ["trigger": trigger]] = 1
            expected["chat_trigger_enabled", ["trigger": trigger]] = 1
        }
        expected["chat_function_present", ["function": "create_chat_on_booking_active"]] = 1
        expected["chat_room_unique_constraint_present"] = 1
        expected.rooms(live: 0, deleted: 0, createdToday: 0)
        expected["chat_room_duplicate_pairs"] = 0
        for window in ["24h", "7d"] {
            expected.lag(window, avg: 0, max: 0, late: 0, slow: 0)
        }
        expected["chat_bookings_active"] = 0
        expected.withoutRoom(missing: 0, roomDeleted: 0)
        expected["chat_bookings_orphaned"] = 0
        expected["chat_rooms_invalid_participants"] = 0
        expected.lessons(completed: 0, upcoming: 0, noEndTime: 0)
        expected["chat_rooms_with_messages"] = 0
        expected["chat_messages_pending_moderation"] = 0
        expected["chat_messages_pending_moderation_oldest_seconds"] = 0
        expected["chat_messages_created", ["window": "5m"]] = 0
        expected["chat_messages_created", ["window": "1h"]] = 0
        expected["chat_rooms_active", ["window": "24h"]] = 0
        expected["chat_timestamps_ahead_seconds"] = 0
        expected["chat_database_in_recovery"] = 0
        expected["chat_database_replay_lag_seconds"] = 0
        expected["chat_database_replay_pending_bytes"] = 0
        expected["chat_database_replay_position_bytes"] = 0
        expected["chat_database_wal_receiver_running"] = 0
        return expected
    }

    /// `chat_timestamps_ahead_seconds` for a newest row written `offset` seconds ahead of now(): at most `offset`
    /// (now() moves on while the test runs), at least `offset` less ``ageSlack``.
    mutating func ahead(by offset: Double) {
        series[SeriesKey("chat_timestamps_ahead_seconds", [:])] = .band(lower: max(0, offset - Self.ageSlack), upper: offset + 0.001)
    }

    /// The exact value of a series; nil means the series must be absent.
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        get {
            if case .exactly(let value)? = series[SeriesKey(name, labels)] { return value }
            return nil
        }
        set {
            series[SeriesKey(name, labels)] = newValue.map { .exactly($0) }
        }
    }

    /// An age in seconds written `offset` seconds in the past: at least `offset`, less than `offset` plus ``ageSlack``.
    mutating func age(_ name: String, _ labels: [String: String] = [:], atLeast offset: Double) {
        series[SeriesKey(name, labels)] = .band(lower: offset, upper: offset + Self.ageSlack)
    }

    /// `chat_rooms_created_total`, `chat_rooms{state}` and `chat_rooms_created_today` together.
    mutating func rooms(live: Double, deleted: Double, createdToday: Double) {
        self["chat_rooms_created_total"] = live + deleted
        self["chat_rooms", ["state": "live"]] = live
        self["chat_rooms", ["state": "deleted"]] = deleted
        self["chat_rooms_created_today"] = createdToday
    }

    /// The four lag series of one window.
    mutating func lag(_ window: String, avg: Double, max: Double, late: Double, slow: Double) {
        self["chat_room_creation_lag_avg_seconds", ["window": window]] = avg
        self["chat_room_creation_lag_max_seconds", ["window": window]] = max
        self["chat_rooms_created_late", ["window": window]] = late
        self["chat_rooms_created_slow", ["window": window]] = slow
    }

    /// Both reasons of `chat_bookings_without_room`, and the oldest age of each: 0 when its count is 0, otherwise
    /// that many seconds (a band, see ``age(_:_:atLeast:)``).
    mutating func withoutRoom(missing: Double, roomDeleted: Double, oldestMissing: Double = 0, oldestRoomDeleted: Double = 0) {
        for (reason, count, oldest) in [("missing", missing, oldestMissing), ("room_deleted", roomDeleted, oldestRoomDeleted)] {
            self["chat_bookings_without_room", ["reason": reason]] = count
            if count == 0 {
                self["chat_bookings_without_room_oldest_seconds", ["reason": reason]] = 0
            } else {
                age("chat_bookings_without_room_oldest_seconds", ["reason": reason], atLeast: oldest)
            }
        }
    }

    /// The three `chat_lessons{state}` series.
    mutating func lessons(completed: Double, upcoming: Double, noEndTime: Double) {
        self["chat_lessons", ["state": "completed"]] = completed
        self["chat_lessons", ["state": "upcoming"]] = upcoming
        self["chat_lessons", ["state": "no_end_time"]] = noEndTime
    }

    /// Both triggers' `present` and `enabled` series.
    mutating func trigger(_ name: String, present: Double, enabled: Double) {
        self["chat_trigger_present", ["trigger": name]] = present
        self["chat_trigger_enabled", ["trigger": name]] = enabled
    }

    /// `chat_audit_events` (success, failure, and other: `total` less both, when given) and `chat_audit_error_ratio`
    /// (failures over `total`; absent when the window has no row) of one action and window; and, for the response-time
    /// windows (5m, 1h, 24h), `chat_audit_response_*_seconds` when the window holds successes, all of which took
    /// `responseSeconds` (``Fixture/audit(_:_:at:count:)`` writes `updated_at = created_at`: 0 s).
    mutating func audit(_ action: String, _ window: String, success: Double, failure: Double, total: Double? = nil, responseSeconds: Double = 0) {
        let labels = ["action": action, "window": window]
        self["chat_audit_events", labels.merging(["status": "success"]) { $1 }] = success
        self["chat_audit_events", labels.merging(["status": "failure"]) { $1 }] = failure
        let all = total ?? success + failure
        self["chat_audit_events", labels.merging(["status": "other"]) { $1 }] = all - success - failure
        self["chat_audit_error_ratio", labels] = all == 0 ? nil : failure / all
        if ["5m", "1h", "24h"].contains(window) {
            self["chat_audit_response_avg_seconds", labels] = success == 0 ? nil : responseSeconds
            self["chat_audit_response_p95_seconds", labels] = success == 0 ? nil : responseSeconds
        }
    }

    /// Records an issue for every series that is missing, extra or different.
    /// `tolerance` is relative, for values the database computes in floating point (means, percentiles).
    func verify(_ actual: CollectedMetrics, tolerance: Double = 0, sourceLocation: SourceLocation = #_sourceLocation) {
        var problems: [String] = []
        for key in Set(series.keys).union(actual.samples.keys).sorted() {
            switch (series[key], actual.samples[key]) {
            case (let expected?, let value?):
                if !expected.matches(value, tolerance: tolerance) { problems.append("\(key): expected \(expected), got \(value)") }
            case (let expected?, nil):
                problems.append("\(key): expected \(expected), but the series is absent")
            case (nil, let value?):
                problems.append("\(key): unexpected series with value \(value)")
            case (nil, nil):
                break
            }
        }
        if !problems.isEmpty {
            Issue.record("\(problems.count) series differ:\n  \(problems.joined(separator: "\n  "))", sourceLocation: sourceLocation)
        }
    }
}
