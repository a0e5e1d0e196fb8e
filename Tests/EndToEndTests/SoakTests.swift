import Foundation
import Testing
import TestSupport

/// The short soak CI runs: scripts/soak.sh under a steady scrape load, no memory or descriptor growth.
struct SoakTests {
    @Test func aShortSoakShowsNoGrowth() throws {
        let result = try runProcess("bash", [PackageLayout.path("scripts/soak.sh"), "--duration", "45", "--warmup", "15", "--scrapers", "2", "--binary", try Binary.chatExporter], timeout: .seconds(180))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("soak: PASS"))
        #expect(result.stdout.contains("rss_bytes start="))
    }
}
