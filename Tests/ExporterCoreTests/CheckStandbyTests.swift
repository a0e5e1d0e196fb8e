@testable import ChatCheck
import Exposition
import Testing

/// What `check` says about a hot standby, from the chat_database collector's samples: the report's first line, since
/// every figure after it is as old as the standby's replay.
struct CheckStandbyTests {
    private static func standbyChecks(inRecovery: Double, lag: Double?, receiver: Double? = nil) -> [CheckReport.Check] {
        var families = [MetricFamily(name: "chat_database_in_recovery", type: .gauge, help: "", samples: [Sample(value: inRecovery)])]
        if let receiver {
            families.append(MetricFamily(name: "chat_database_wal_receiver_running", type: .gauge, help: "", samples: [Sample(value: receiver)]))
        }
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

    /// Without a WAL receiver the lag is the age of the last replayed commit: said as such, and a warning however
    /// young (the standby cannot know what it misses). An archive-only standby has no receiver either, and its lag of 0 says nothing is wrong.
    @Test func aStandbyCutOffFromItsPrimaryIsSaidSo() throws {
        let recent = try #require(Self.standbyChecks(inRecovery: 1, lag: 40, receiver: 0).first)
        #expect(recent.status == .warning)
        #expect(recent.message.contains("cut off from its primary"))
        let old = try #require(Self.standbyChecks(inRecovery: 1, lag: 301, receiver: 0).first)
        #expect(old.status == .warning)
        #expect(old.message.contains("cut off from its primary"))
        let unknown = try #require(Self.standbyChecks(inRecovery: 1, lag: nil, receiver: 0).first)
        #expect(unknown.status == .warning)
        #expect(unknown.message.contains("cut off from its primary"))
        let archiveOnly = try #require(Self.standbyChecks(inRecovery: 1, lag: 0, receiver: 0).first)
        #expect(archiveOnly.status == .ok)
        #expect(archiveOnly.message.contains("caught up"))
        let streaming = try #require(Self.standbyChecks(inRecovery: 1, lag: 301, receiver: 1).first)
        #expect(!streaming.message.contains("cut off"))
    }

    @Test func aPrimaryGetsNoStandbyLine() {
        #expect(Self.standbyChecks(inRecovery: 0, lag: 0).isEmpty)
    }
}
