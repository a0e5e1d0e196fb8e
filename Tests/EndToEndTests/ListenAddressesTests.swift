import Foundation
import Testing
import TestSupport

/// Several `--web.listen-address`es, as exporter-toolkit's exporters take them: each is served, with the same pages
/// and the same settings.
struct ListenAddressesTests {
    @Test func everyAddressGivenIsServed() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let ipv4 = freeTCPPort(), ipv6 = freeTCPPort()
        let exporter = try RunningExporter(
            collectors: TestCollectors.selectOne, database: database,
            arguments: ["--web.listen-address=127.0.0.1:\(ipv4)", "--web.listen-address=[::1]:\(ipv6)"])
        try exporter.waitForMetrics("test_one on the first address") { $0.value("test_one") == 1 }

        let viaIPv6 = try HTTPTestClient.get(port: ipv6, path: "/metrics", host: "::1")
        #expect(viaIPv6.status == 200)
        #expect(Exposition(text: viaIPv6.text).value("test_one") == 1)
        #expect(try HTTPTestClient.get(port: ipv6, path: "/-/ready", host: "::1").status == 200)
        let log = exporter.process.stderr()
        #expect(log.contains("msg=listening address=127.0.0.1:\(ipv4) port=\(ipv4)"), "\(log)")
        #expect(log.contains("msg=listening address=[::1]:\(ipv6) port=\(ipv6)"), "\(log)")

        // One server's counts: the responses of both addresses (sampled every two seconds). 404s, which only [::1]
        // is asked for (waitForMetrics' own scrapes are 200s).
        let before = try exporter.metrics().value("chat_exporter_http_responses_total", ["code": "404"]) ?? 0
        for _ in 0..<20 { #expect(try HTTPTestClient.get(port: ipv6, path: "/absent", host: "::1").status == 404) }
        try exporter.waitForMetrics("the twenty 404s on [::1] are counted by the one server") {
            ($0.value("chat_exporter_http_responses_total", ["code": "404"]) ?? 0) - before == 20
        }
    }
}
