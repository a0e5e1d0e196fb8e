import Foundation
import Testing
import TestSupport

/// bench/run.sh --quick: the benchmark of docs/benchmarks.md at a tiny scale, so that it cannot rot. It must exit 0
/// and print its table with a row per default collector and a row per peer (measured, or "skipped: reason" when the
/// peer cannot be installed here), and write its report where --output says (never docs/benchmarks.md). It builds
/// the binary it measures as scripts/run.sh does (scripts/build-release.sh), so CI also links the shipped build.
@Suite(.serialized)
struct BenchSmokeTests {
    private static let root = PackageLayout.root

    /// The names of the default collectors, from collectors/default.yml (`  - name: X` at the collectors' indent).
    private func defaultCollectors() throws -> [String] {
        let text = try String(contentsOfFile: Self.root + "/collectors/default.yml", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("  - name: ") ? String(line.dropFirst("  - name: ".count)).trimmingCharacters(in: .whitespaces) : nil
        }
    }

    @Test(.timeLimit(.minutes(15)))
    func theQuickBenchmarkRunsAndPrintsEveryRow() throws {
        let temporary = try TemporaryDirectory(prefix: "bench-smoke", reachableByOthers: true)
        defer { temporary.remove() }
        let scratch = temporary.path
        let output = scratch + "/benchmarks.md"
        let reportBefore = FileManager.default.contents(atPath: Self.root + "/docs/benchmarks.md")

        var environment = ["PATH": (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                           "LANG": "C.UTF-8", "TMPDIR": scratch]
        if let home = ProcessInfo.processInfo.environment["HOME"] { environment["HOME"] = home }
        let result = try runProcess(
            "/bin/bash",
            [Self.root + "/bench/run.sh", "--quick", "--output", output],
            environment: environment,
            timeout: .seconds(840)
        )
        #expect(result.status == 0, "bench/run.sh --quick exited \(result.status); stderr:\n\(result.stderr.suffix(3000))")

        let lines = result.stdout.split(separator: "\n").map(String.init)
        let collectors = try defaultCollectors()
        #expect(collectors.count >= 10)
        for collector in collectors {
            #expect(lines.contains { $0.hasPrefix("collector: \(collector) ") },
                    "no row for the collector \(collector) in:\n\(result.stdout)")
        }
        let cycle = lines.first { $0.hasPrefix("default collectors: one full cycle") }
        #expect(cycle.map { !$0.contains("–") } == true, "the cycle's time and CPU are both measured: \(cycle ?? "no row")")
        #expect(lines.contains { $0.hasPrefix("seed 002 SQL") })
        for target in ["chat-exporter", "nginx (same bytes)", "query-exporter", "sql_exporter", "postgres_exporter"] {
            let row = lines.first { $0.hasPrefix(target + " ") }
            #expect(row != nil, "no row for \(target) in:\n\(result.stdout)")
            if let row, !row.contains("skipped: ") {
                // Measured: requests per second / p50 / p99 in the first cell, a number.
                let cells = row.dropFirst(target.count).trimmingCharacters(in: .whitespaces)
                #expect(cells.first?.isNumber == true, "\(target) was neither measured nor skipped: \(row)")
            }
        }
        // chat-exporter itself is always measured.
        #expect(lines.first { $0.hasPrefix("chat-exporter ") }.map { !$0.contains("skipped: ") } == true)
        #expect(lines.contains { $0.hasPrefix("MET ") || $0.hasPrefix("MISS") })

        let report = try String(contentsOfFile: output, encoding: .utf8)
        #expect(report.hasPrefix("# Benchmarks"))
        #expect(report.contains("release build, --static-swift-stdlib, functions ordered by scripts/steady-state.order"),
                "the report does not say the shipped build was measured")
        try expectShippedBinary(PackageLayout.path(".build-bench-static/release/chat-exporter"))
        #expect(report.contains("## Targets"))
        // The smoke run never touches the committed report.
        #expect(FileManager.default.contents(atPath: Self.root + "/docs/benchmarks.md") == reportBefore)
    }

    /// The binary scripts/build-release.sh made runs, needs no Swift runtime from the machine (only the system
    /// libraries the README names, libpq, libmicrohttpd, libyaml, zlib, libcrypt, and what they need), and carries
    /// neither ICU nor CoreFoundation: the whole of Foundation, linked in statically, would bring both back (and
    /// ~6 MiB of start-up memory with them).
    private func expectShippedBinary(_ binary: String) throws {
        let version = try runProcess(binary, ["--version"], timeout: .seconds(30))
        #expect(version.status == 0 && version.stdout.contains("chat-exporter"), "\(version.stdout)\(version.stderr)")
        let libraries = try runProcess("/usr/bin/ldd", [binary], timeout: .seconds(30))
        #expect(libraries.status == 0, "\(libraries.stderr)")
        for needed in ["libpq.so", "libmicrohttpd.so", "libyaml-0.so"] {
            #expect(libraries.stdout.contains(needed), "\(needed) missing from:\n\(libraries.stdout)")
        }
        for unwanted in ["libswift", "not found"] {
            #expect(!libraries.stdout.contains(unwanted), "the shipped binary needs \(unwanted):\n\(libraries.stdout)")
        }
        let nm = try #require(findExecutable("nm") ?? findExecutable("llvm-nm"), "neither nm nor llvm-nm on PATH")
        let symbols = try runProcess(nm, [binary], timeout: .seconds(60))
        #expect(symbols.status == 0, "\(symbols.stderr)")
        #expect(symbols.stdout.contains("FoundationEssentials"), "nm listed no Swift symbols: is the binary stripped?")
        for unwanted in ["ucol_", "__CFInitialize"] {
            #expect(!symbols.stdout.contains(unwanted), "the shipped binary links ICU or CoreFoundation (\(unwanted))")
        }
    }
}
