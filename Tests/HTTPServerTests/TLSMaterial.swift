import Foundation

/// Certificates and keys generated with the openssl CLI for one test, in a temporary directory
/// that is removed afterwards: a self-signed server certificate, a client CA with a client
/// certificate, and an unrelated ("rogue") CA with its own client certificate.
final class TLSMaterial {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("http-server-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("files"), withIntermediateDirectories: true)
        try selfSigned(name: "server", subject: "/CN=localhost")
        try selfSigned(name: "rotated", subject: "/CN=rotated.localhost")
        try selfSigned(name: "ca", subject: "/CN=Test Client CA")
        try selfSigned(name: "rogue-ca", subject: "/CN=Rogue CA")
        try "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
            .write(to: file("client.ext"), atomically: true, encoding: .utf8)
        try "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(to: file("server-only.ext"), atomically: true, encoding: .utf8)
        try signedClient(name: "client", subject: "/CN=client", ca: "ca")
        try signedClient(name: "rogue-client", subject: "/CN=rogue", ca: "rogue-ca")
        // Signed by the trusted CA, but for servers only (extended key usage serverAuth).
        try signedClient(name: "server-only-client", subject: "/CN=a-server", ca: "ca", extensions: "server-only.ext")
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The path of a generated file (`server.pem`, `server.key`, `ca.pem`, `client.pem`, ...).
    func path(_ name: String) -> String {
        file(name).path
    }

    /// The contents of a generated file.
    func pem(_ name: String) throws -> String {
        try String(contentsOf: file(name), encoding: .utf8)
    }

    private func file(_ name: String) -> URL {
        directory.appendingPathComponent("files").appendingPathComponent(name)
    }

    private func selfSigned(name: String, subject: String) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", subject, "-keyout", path("\(name).key"), "-out", path("\(name).pem"),
        ])
    }

    private func signedClient(name: String, subject: String, ca: String, extensions: String = "client.ext") throws {
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", subject, "-keyout", path("\(name).key"), "-out", path("\(name).csr"),
        ])
        try openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
            "-set_serial", "\(Int.random(in: 1000...1_000_000))", "-days", "1",
            "-extfile", path(extensions), "-out", path("\(name).pem"),
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try ExternalProcess.run("/usr/bin/openssl", arguments, in: directory)
        guard result.status == 0 else {
            throw TestClientError("openssl \(arguments.joined(separator: " ")): \(result.standardError)")
        }
    }
}
