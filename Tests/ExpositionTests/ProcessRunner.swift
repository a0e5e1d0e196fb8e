import Foundation

/// Runs a program with the given bytes on its standard input.
///
/// Standard input, output and error go through temporary files rather than pipes, so that a
/// chatty child can never deadlock against a parent that is still writing its input.
enum ProcessRunner {
    static func run(_ executable: String, _ arguments: [String], stdin input: [UInt8]) throws -> ProcessOutput {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("exposition-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let inputURL = directory.appendingPathComponent("stdin")
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        try Data(input).write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)

        let inputHandle = try FileHandle(forReadingFrom: inputURL)
        let outputHandle = try FileHandle(forWritingTo: outputURL)
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        defer {
            try? inputHandle.close()
            try? outputHandle.close()
            try? errorHandle.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = inputHandle
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        try process.run()
        process.waitUntilExit()

        return ProcessOutput(
            status: process.terminationStatus,
            stdout: [UInt8](try Data(contentsOf: outputURL)),
            stderr: [UInt8](try Data(contentsOf: errorURL))
        )
    }
}
