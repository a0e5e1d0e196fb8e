import Exposition
import Foundation
import Gzip
import Testing
import TestSupport

@Suite struct GzipTests {
    static let gzipTool = "/usr/bin/gzip"

    /// Empty, small, and 1 MiB payloads: one mostly incompressible, one metrics-like.
    static let payloads: [(name: String, bytes: [UInt8])] = {
        var generator = SplitMix64(seed: 42)
        let random = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let samples = (0..<20_000).map { index in
            Sample(labels: [Label(name: "room_type", value: "type_\(index % 13)"), Label(name: "i", value: String(index))], value: Double(index))
        }
        var metrics = ExpositionEncoder.encode(
            [MetricFamily(name: "chat_rooms_created_total", type: .counter, help: "Rooms.", samples: samples)],
            format: .prometheusText
        )
        metrics = Array(metrics.prefix(1 << 20))
        return [
            ("empty", []),
            ("one byte", [0x41]),
            ("small", Array("hello, gzip\n".utf8)),
            ("1 MiB random", random),
            ("1 MiB metrics", metrics),
        ]
    }()

    @Test(arguments: payloads.indices)
    func roundTrip(index: Int) throws {
        let bytes = Self.payloads[index].bytes
        let compressed = Gzip.compress(bytes)
        #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 0x08], "gzip magic and deflate method")
        #expect(try Gzip.decompress(compressed) == bytes)
    }

    @Test func metricsCompressWell() throws {
        let metrics = try #require(Self.payloads.last).bytes
        #expect(metrics.count == 1 << 20)
        #expect(Gzip.compress(metrics).count < metrics.count / 5)
    }

    @Test(arguments: payloads.indices)
    func systemGzipDecodesOurOutput(index: Int) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.gzipTool), "\(Self.gzipTool) is missing")
        let bytes = Self.payloads[index].bytes
        let result = try ProcessRunner.run(Self.gzipTool, ["-dc"], stdin: Gzip.compress(bytes))
        #expect(result.status == 0, "gzip -dc failed: \(result.stderrText)")
        #expect(result.stderr.isEmpty, "gzip -dc wrote: \(result.stderrText)")
        #expect(result.stdout == bytes)
    }

    @Test(arguments: payloads.indices)
    func weDecodeSystemGzipOutput(index: Int) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.gzipTool), "\(Self.gzipTool) is missing")
        let bytes = Self.payloads[index].bytes
        let result = try ProcessRunner.run(Self.gzipTool, ["-c"], stdin: bytes)
        #expect(result.status == 0, "gzip -c failed: \(result.stderrText)")
        #expect(try Gzip.decompress(result.stdout) == bytes)
    }

    @Test(arguments: [Int32(-5), -1, 0, 1, 6, 9, 42])
    func everyLevelRoundTrips(level: Int32) throws {
        let bytes = try #require(Self.payloads.last).bytes
        #expect(try Gzip.decompress(Gzip.compress(bytes, level: level)) == bytes)
    }

    @Test func concatenatedMembersDecompressLikeGzip() throws {
        let joined = Gzip.compress(Array("first ".utf8)) + Gzip.compress(Array("second".utf8))
        #expect(try Gzip.decompress(joined) == Array("first second".utf8))
    }

    @Test func emptyInputIsTruncated() throws {
        let error = try #require(throws: GzipError.self) { try Gzip.decompress([]) }
        #expect(error.kind == .truncated)
    }

    @Test func truncatedInputThrows() throws {
        let compressed = Gzip.compress(Array(repeating: 0x61, count: 10_000) + Array("tail".utf8))
        for cut in [1, 4, 8, compressed.count / 2] {
            let error = try #require(throws: GzipError.self) { try Gzip.decompress(Array(compressed.dropLast(cut))) }
            #expect(error.kind == .truncated || error.kind == .invalidData, "cut \(cut): \(error)")
        }
        let error = try #require(throws: GzipError.self) { try Gzip.decompress(Array(compressed.dropLast(8))) }
        #expect(error.kind == .truncated)
    }

    @Test func garbageThrowsInvalidData() throws {
        let error = try #require(throws: GzipError.self) { try Gzip.decompress(Array("definitely not gzip".utf8)) }
        #expect(error.kind == .invalidData)
        #expect(error.description.hasPrefix("gzip: invalid data: "))
    }

    @Test func corruptChecksumThrowsInvalidData() throws {
        var compressed = Gzip.compress(Array("some payload to protect".utf8))
        compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
        let error = try #require(throws: GzipError.self) { try Gzip.decompress(compressed) }
        #expect(error.kind == .invalidData)
    }
}
