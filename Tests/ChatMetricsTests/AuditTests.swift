import Testing

/// chat_audit_events{action,status,window} (status success, failure, other) and chat_audit_error_ratio{action,window}.
@Suite struct AuditTests {
    private static let windows = ["5m", "30m", "1h", "2h", "6h", "24h"]

    /// chat.message.send: rows at 2m (one success, one failure), 20m, 50m, 90m, 5h, 20h, and one 25h ago that
    /// counts in no window. chat.room.create: a row with no status 3h ago (status="other", and in the ratio's
    /// denominator) and a success 20h ago, so its ratio is absent for the windows without rows and 0 for the others.
    /// user.login and chatXroom do not match `chat.%` (the dot is literal in LIKE) and are ignored.
    @Test func eventsAndErrorRatiosPerWindow() async throws {
        let send = "chat.message.send"
        let create = "chat.room.create"
        let run = try await collectScenario { scenario in
            try scenario.run(
                Fixture.audit(send, "success", at: At.ago("2 minutes"))
                    + Fixture.audit(send, "failure", at: At.ago("2 minutes"))
                    + Fixture.audit(send, "success", at: At.ago("20 minutes"))
                    + Fixture.audit(send, "failure", at: At.ago("50 minutes"))
                    + Fixture.audit(send, "success", at: At.ago("90 minutes"))
                    + Fixture.audit(send, "failure", at: At.ago("5 hours"))
                    + Fixture.audit(send, "success", at: At.ago("20 hours"))
                    + Fixture.audit(send, "failure", at: At.ago("25 hours"))
                    + Fixture.audit(create, nil, at: At.ago("3 hours"))
                    + Fixture.audit(create, "success", at: At.ago("20 hours"))
                    + Fixture.audit("user.login", "failure", at: At.ago("2 minutes"), count: 3)
                    + Fixture.audit("chatXroom", "failure", at: At.ago("2 minutes"))
                    // Dated a year ahead (bad data): in no window, rather than in every one for a year.
                    + Fixture.audit(send, "failure", at: At.fromNow("365 days"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        expected.audit(send, "5m", success: 1, failure: 1)
        expected.audit(send, "30m", success: 2, failure: 1)
        expected.audit(send, "1h", success: 2, failure: 2)
        expected.audit(send, "2h", success: 3, failure: 2)
        expected.audit(send, "6h", success: 3, failure: 3)
        expected.audit(send, "24h", success: 4, failure: 3)
        for window in ["5m", "30m", "1h", "2h"] {
            expected.audit(create, window, success: 0, failure: 0)
        }
        expected.audit(create, "6h", success: 0, failure: 0, total: 1)
        expected.audit(create, "24h", success: 1, failure: 0, total: 2)
        expected.verify(run.metrics)
        #expect(run.metrics.value("chat_audit_error_ratio", ["action": send, "window": "30m"]) == 1.0 / 3.0)
        #expect(run.metrics.value("chat_audit_error_ratio", ["action": create, "window": "5m"]) == nil)
    }

    /// An audit_action_cap setting (nil: the default), named for the test report.
    struct Cap: Sendable, CustomTestStringConvertible {
        let setting: String?
        let testDescription: String
    }

    /// chat.message.send has 3 rows (2m: two successes, a failure), chat.room.create 2 (10m success, 3h failure),
    /// chat.room.delete 1 (90m failure). With the default cap each has its own series; with cap 2 the least
    /// frequent becomes action="other"; with cap 1 the two least frequent are summed under "other".
    @Test(arguments: [
        Cap(setting: nil, testDescription: "default cap 50"),
        Cap(setting: "2", testDescription: "cap 2"),
        Cap(setting: "1", testDescription: "cap 1"),
    ])
    func actionsPastTheCapAreSummedAsOther(cap: Cap) async throws {
        let settings = cap.setting.map { ["audit_action_cap": $0] } ?? [:]
        let run = try await collectScenario(settings: settings) { scenario in
            try scenario.run(
                Fixture.audit("chat.message.send", "success", at: At.ago("2 minutes"), count: 2)
                    + Fixture.audit("chat.message.send", "failure", at: At.ago("2 minutes"))
                    + Fixture.audit("chat.room.create", "success", at: At.ago("10 minutes"))
                    + Fixture.audit("chat.room.create", "failure", at: At.ago("3 hours"))
                    + Fixture.audit("chat.room.delete", "failure", at: At.ago("90 minutes"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        for window in Self.windows {
            expected.audit("chat.message.send", window, success: 2, failure: 1)
        }
        let create: [String: (Double, Double)] = ["5m": (0, 0), "30m": (1, 0), "1h": (1, 0), "2h": (1, 0), "6h": (1, 1), "24h": (1, 1)]
        let delete: [String: (Double, Double)] = ["5m": (0, 0), "30m": (0, 0), "1h": (0, 0), "2h": (0, 1), "6h": (0, 1), "24h": (0, 1)]
        for window in Self.windows {
            let (createSuccess, createFailure) = create[window]!
            let (deleteSuccess, deleteFailure) = delete[window]!
            switch cap.setting {
            case nil:
                expected.audit("chat.room.create", window, success: createSuccess, failure: createFailure)
                expected.audit("chat.room.delete", window, success: deleteSuccess, failure: deleteFailure)
            case "2":
                expected.audit("chat.room.create", window, success: createSuccess, failure: createFailure)
                expected.audit("other", window, success: deleteSuccess, failure: deleteFailure)
            default:
                expected.audit("other", window, success: createSuccess + deleteSuccess, failure: createFailure + deleteFailure)
            }
        }
        expected.verify(run.metrics)
    }

    /// audit_action_pattern selects the actions: with `user.%` only user.login rows count.
    @Test func patternSettingSelectsTheActions() async throws {
        let run = try await collectScenario(settings: ["audit_action_pattern": "user.%"]) { scenario in
            try scenario.run(
                Fixture.audit("user.login", "failure", at: At.ago("2 minutes"), count: 2)
                    + Fixture.audit("user.login", "success", at: At.ago("2 minutes"))
                    + Fixture.audit("chat.message.send", "success", at: At.ago("2 minutes"))
            )
        }
        var expected = ExpectedMetrics.emptyDatabase
        for window in Self.windows {
            expected.audit("user.login", window, success: 1, failure: 2)
        }
        expected.verify(run.metrics)
    }
}
