import Foundation

/// `curl -sk` against the test server.
enum Curl {
    struct Result {
        /// curl's exit status (0 when an HTTP response arrived).
        let exitStatus: Int32
        /// The HTTP status, or 0 without a response.
        let httpStatus: Int
        let body: String
        let standardError: String
    }

    /// Fetches `https://127.0.0.1:port/path` without verifying the server certificate.
    static func get(
        port: Int, path: String = "/", clientCertificate: String? = nil, clientKey: String? = nil,
        extraArguments: [String] = [], in material: TLSMaterial
    ) throws -> Result {
        let bodyPath = material.directory.appendingPathComponent("body-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: bodyPath) }
        var arguments = ["-sk", "--max-time", "20", "-o", bodyPath, "-w", "%{http_code}"]
        if let clientCertificate, let clientKey {
            arguments += ["--cert", clientCertificate, "--key", clientKey]
        }
        arguments += extraArguments
        arguments.append("https://127.0.0.1:\(port)\(path)")
        let result = try ExternalProcess.run("/usr/bin/curl", arguments, in: material.directory)
        return Result(
            exitStatus: result.status,
            httpStatus: Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
            body: (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? "",
            standardError: result.standardError
        )
    }
}
