import Backfill
import Foundation
import Testing

/// What a dry run says a real run would need.
struct BackfillSummaryTests {
    /// On a hot standby the role may well write; the server may not. The note must blame the server, not the role.
    @Test func aDryRunOnAStandbyBlamesTheServerNotTheRole() throws {
        var summary = BackfillSummary(dryRun: true, role: "chat_backfill", canWrite: false)
        summary.standby = true
        #expect(summary.writeNote == "Note: this server is a read-only standby: a real run must go to the primary.")
        let decoded = try JSONDecoder().decode(BackfillSummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded.standby)

        let readOnlyRole = BackfillSummary(dryRun: true, role: "chat_exporter", canWrite: false)
        #expect(readOnlyRole.writeNote?.contains("the role chat_exporter may not write chat_rooms") == true)
        #expect(BackfillSummary(dryRun: true, role: "chat_backfill", canWrite: true).writeNote == nil)
    }
}
