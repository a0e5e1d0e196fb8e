import Testing

/// The collectors on the schema without a single row.
@Suite struct EmptyDatabaseTests {
    /// Every collector succeeds and every value is 0, with both labelled series present wherever the definitions
    /// say "always present" (triggers, without_room reasons, rooms by state, lag windows, lesson states). Series
    /// labelled by data (`chat_bookings{status}`, the audit series) are absent. Changed settings change nothing.
    @Test(arguments: [
        [:],
        ["timezone": "Europe/Moscow"],
        ["audit_action_cap": "1", "audit_action_pattern": "%"],
        ["slow_threshold_seconds": "0"],
    ])
    func everyCollectorSucceedsWithZeroes(settings: [String: String]) async throws {
        let run = try await collectScenario(settings: settings) { _ in }
        ExpectedMetrics.emptyDatabase.verify(run.metrics)
        #expect(run.metrics.series(named: "chat_bookings").isEmpty)
        #expect(run.metrics.series(named: "chat_audit_events").isEmpty)
        #expect(run.metrics.series(named: "chat_audit_error_ratio").isEmpty)
    }

    /// Scenario SQL runs with TimeZone UTC whatever the server's default, so `DEFAULT now()` columns hold UTC
    /// wall-clock time like the exporter's sessions (TimeZone UTC) read them. The test cluster's own default is
    /// UTC too (scripts/pg-cluster.sh), but a cluster named by CHAT_EXPORTER_TEST_PG* may differ.
    @Test func scenarioSessionsRunInUTC() throws {
        let scenario = try ScenarioDatabase.create()
        defer { scenario.drop() }
        #expect(try scenario.scalar("SHOW TimeZone") == "UTC")
        try scenario.run(Fixture.users(teachers: 1, students: 0))
        let skew = try scenario.scalar(
            "SELECT abs(extract(epoch FROM created_at - (now() AT TIME ZONE 'UTC'))) < 60 FROM users"
        )
        #expect(skew == "t", "users.created_at DEFAULT now() was not written in UTC")
    }
}
