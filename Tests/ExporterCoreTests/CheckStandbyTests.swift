@testable import ChatCheck
import Exposition
import Testing

/// What `check` says about a hot standby, from the chat_database collector's samples: the report's first line, since
/// every figure after it is as old as the standby's replay.
struct CheckStandbyTests {
    private static func standbyChecks(inRecovery: Double, lag: Double?) -> [CheckReport.Check] {
        var families = [MetricFamily(name: "chat_database_in_recovery", type: .gauge, help: "", samples: [Sample(value: inRecovery)])]
        // A standby that has replayed no commit since it started has no lag sample (the collector's NULL).
        families.append(MetricFamily(
            name: "chat_database_replay_lag_seconds", type: .gauge, help: "", samples: lag.map { [Sample(value: $0)] } ?? []))
        var builder = CheckBuilder(lookup: MetricLookup(families: families), thresholds: CheckReport.Thresholds())
        builder.addStandbyCheck()
        return builder.checks.filter { $0.name == "standby" }
    }

    @Test func aStandbyWithNoReplayedCommitSaysItsFiguresAreOfUnknownAge() throws {
        let check = try #require(Self.standbyChecks(inRecovery: 1, lag: nil).first)
        #expect(check.status == .warning)
        #expect(check.message.contains("how old its figures are is unknown"))
    }

    @Test func aStandbyPastTheAlertsThresholdIsAWarning() throws {
        let check = try #require(Self.standbyChecks(inRecovery: 1, lag: 301).first)
        #expect(check.status == .warning)
        #expect(check.message.contains("trails its primary by"))
    }

    @Test(arguments: [0.0, 300.0])
    func aStandbyWithinTheThresholdIsSaidButFine(lag: Double) throws {
        let check = try #require(Self.standbyChecks(inRecovery: 1, lag: lag).first)
        #expect(check.status == .ok)
        #expect(check.message.contains(lag == 0 ? "caught up" : "behind"))
    }

    @Test func aPrimaryGetsNoStandbyLine() {
        #expect(Self.standbyChecks(inRecovery: 0, lag: 0).isEmpty)
    }
}
