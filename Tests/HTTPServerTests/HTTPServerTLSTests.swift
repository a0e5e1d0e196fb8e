@testable import HTTPServer
import Testing

@Suite struct HTTPServerTLSTests {
    /// Which client certificate curl presents.
    enum Presented: String, Sendable, CustomTestStringConvertible {
        case nothing, trusted, rogue
        /// Signed by the trusted CA for TLS servers only (extended key usage serverAuth): not a client certificate.
        case serverOnly
        var testDescription: String { rawValue }
    }

    /// One row of the client-authentication matrix: `expected` is the handler's
    /// `clientCertificateVerified`, or `nil` when the request must be refused.
    struct ClientAuthCase: Sendable, CustomTestStringConvertible {
        let clientAuth: TLSConfiguration.ClientAuth
        let withCA: Bool
        let presented: Presented
        let expected: Bool?

        var testDescription: String {
            "\(clientAuth.rawValue)\(withCA ? "+CA" : ""), \(presented) -> \(expected.map { "verified=\($0)" } ?? "refused")"
        }
    }

    static let clientAuthCases: [ClientAuthCase] = [
        .init(clientAuth: .requireAndVerify, withCA: true, presented: .trusted, expected: true),
        .init(clientAuth: .requireAndVerify, withCA: true, presented: .nothing, expected: nil),
        .init(clientAuth: .requireAndVerify, withCA: true, presented: .rogue, expected: nil),
        .init(clientAuth: .verifyIfGiven, withCA: true, presented: .trusted, expected: true),
        .init(clientAuth: .verifyIfGiven, withCA: true, presented: .nothing, expected: false),
        .init(clientAuth: .verifyIfGiven, withCA: true, presented: .rogue, expected: nil),
        .init(clientAuth: .requireAny, withCA: false, presented: .nothing, expected: nil),
        .init(clientAuth: .requireAny, withCA: false, presented: .rogue, expected: false),
        .init(clientAuth: .requireAny, withCA: true, presented: .trusted, expected: true),
        .init(clientAuth: .request, withCA: false, presented: .nothing, expected: false),
        .init(clientAuth: .request, withCA: false, presented: .rogue, expected: false),
        .init(clientAuth: .request, withCA: true, presented: .trusted, expected: true),
        .init(clientAuth: .request, withCA: true, presented: .rogue, expected: false),
        .init(clientAuth: .requireAndVerify, withCA: true, presented: .serverOnly, expected: nil),
        .init(clientAuth: .verifyIfGiven, withCA: true, presented: .serverOnly, expected: nil),
        .init(clientAuth: .request, withCA: true, presented: .serverOnly, expected: false),
    ]

    @Test func httpsServesRequestsAndPlainHTTPToTheTLSPortFails() throws {
        let material = try TLSMaterial()
        let recorder = RequestRecorder()
        let server = try startServer(
            HTTPServerConfiguration(
                tls: TLSConfiguration(certificatePEM: material.pem("server.pem"), privateKeyPEM: material.pem("server.key"))
            )
        ) { request in
            recorder.record(request)
            return .text("secure \(request.path)\n")
        }
        defer { server.stop() }

        let result = try Curl.get(port: server.port, path: "/metrics", in: material)
        #expect(result.exitStatus == 0, "\(result.standardError)")
        #expect(result.httpStatus == 200)
        #expect(result.body == "secure /metrics\n")
        #expect(recorder.all.map(\.clientCertificateVerified) == [nil])

        let plain = try RawConnection(port: server.port)
        try? plain.send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        let bytes = (try? plain.readToEnd(timeout: .seconds(10))) ?? []
        #expect(!String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/"))
        #expect(recorder.count == 1)

        // The server is still fine afterwards.
        #expect(try Curl.get(port: server.port, in: material).httpStatus == 200)
    }

    @Test func minimumVersionTLS13RefusesTLS12ClientsAndTLS12OffersStrongSuitesOnly() throws {
        let material = try TLSMaterial()
        func server(minimum: TLSConfiguration.Version) throws -> HTTPServer {
            try startServer(
                HTTPServerConfiguration(
                    tls: TLSConfiguration(
                        certificatePEM: material.pem("server.pem"), privateKeyPEM: material.pem("server.key"),
                        minimumVersion: minimum
                    )
                )
            ) { _ in .text("ok") }
        }
        let tls12Only = ["--tlsv1.2", "--tls-max", "1.2"]

        let modern = try server(minimum: .tls13)
        defer { modern.stop() }
        #expect(try Curl.get(port: modern.port, extraArguments: ["--tlsv1.3"], in: material).httpStatus == 200)
        let refused = try Curl.get(port: modern.port, extraArguments: tls12Only, in: material)
        #expect(refused.exitStatus != 0)
        #expect(refused.httpStatus == 0)

        let compatible = try server(minimum: .tls12)
        defer { compatible.stop() }
        #expect(try Curl.get(port: compatible.port, extraArguments: tls12Only, in: material).httpStatus == 200)
        // Under TLS 1.2, forward-secret AEAD suites only (Mozilla's intermediate profile): neither static RSA key
        // exchange (gone from Go's defaults since 1.22) nor CBC, even when a client offers nothing else.
        #expect(try Curl.get(port: compatible.port, extraArguments: tls12Only + ["--ciphers", "ECDHE+AESGCM:ECDHE+CHACHA20"], in: material).httpStatus == 200)
        for weak in ["AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA", "DHE-RSA-AES128-GCM-SHA256"] {
            let refusedSuite = try Curl.get(port: compatible.port, extraArguments: tls12Only + ["--ciphers", weak], in: material)
            #expect(refusedSuite.httpStatus == 0, "\(weak)")
        }
    }

    @Test(arguments: clientAuthCases)
    func clientCertificatePolicy(_ row: ClientAuthCase) throws {
        let material = try TLSMaterial()
        let recorder = RequestRecorder()
        let server = try startServer(
            HTTPServerConfiguration(
                tls: TLSConfiguration(
                    certificatePEM: material.pem("server.pem"),
                    privateKeyPEM: material.pem("server.key"),
                    clientCAPEM: row.withCA ? material.pem("ca.pem") : nil,
                    clientAuth: row.clientAuth
                )
            )
        ) { request in
            recorder.record(request)
            return .text("hello client\n")
        }
        defer { server.stop() }

        let result: Curl.Result
        switch row.presented {
        case .nothing:
            result = try Curl.get(port: server.port, in: material)
        case .trusted:
            result = try Curl.get(
                port: server.port, clientCertificate: material.path("client.pem"),
                clientKey: material.path("client.key"), in: material
            )
        case .rogue:
            result = try Curl.get(
                port: server.port, clientCertificate: material.path("rogue-client.pem"),
                clientKey: material.path("rogue-client.key"), in: material
            )
        case .serverOnly:
            result = try Curl.get(
                port: server.port, clientCertificate: material.path("server-only-client.pem"),
                clientKey: material.path("server-only-client.key"), in: material
            )
        }

        if let expected = row.expected {
            #expect(result.httpStatus == 200, "curl exit \(result.exitStatus): \(result.standardError)")
            #expect(result.body == "hello client\n")
            #expect(recorder.all.map(\.clientCertificateVerified) == [expected])
        } else {
            // Refused: the handshake fails (no certificate) or the server answers 403.
            #expect(result.httpStatus == 0 || result.httpStatus == 403, "got \(result.httpStatus)")
            #expect(result.body != "hello client\n")
            #expect(recorder.count == 0)
        }
    }

    /// What a reload looks at before serving with new files: a certificate and key that load and match, a client
    /// CA that loads; a key of another certificate, or no PEM at all, is refused with GnuTLS's reason.
    @Test func tlsMaterialIsCheckedWithoutStartingADaemon() throws {
        let material = try TLSMaterial()
        let certificate = try material.pem("server.pem"), key = try material.pem("server.key")
        try TLSConfiguration(certificatePEM: certificate, privateKeyPEM: key).checkMaterial()
        try TLSConfiguration(certificatePEM: certificate, privateKeyPEM: key, clientCAPEM: material.pem("ca.pem"), clientAuth: .requireAndVerify).checkMaterial()
        for (certificatePEM, keyPEM, clientCA) in [
            (certificate, try material.pem("client.key"), nil),
            ("not a certificate", key, nil),
            (certificate, key, "not a CA"),
        ] {
            let error = #expect(throws: HTTPServerError.self) {
                try TLSConfiguration(certificatePEM: certificatePEM, privateKeyPEM: keyPEM, clientCAPEM: clientCA, clientAuth: clientCA == nil ? .none : .requireAndVerify).checkMaterial()
            }
            guard case .invalidConfiguration(let reason) = error else {
                Issue.record("expected invalidConfiguration, got \(String(describing: error))")
                continue
            }
            #expect(reason.hasPrefix(clientCA == nil ? "the certificate and key: " : "the client CA: "), "\(reason)")
        }
    }

    @Test func unusableCertificateGivesAClearError() throws {
        let material = try TLSMaterial()
        let key = try material.pem("server.key")
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: "127.0.0.1",
                tls: TLSConfiguration(certificatePEM: "not a certificate", privateKeyPEM: key)
            ),
            handler: HTTPClosureHandler { _ in .text("") }
        )
        // Checked through GnuTLS before the daemon starts, as at a reload.
        let error = #expect(throws: HTTPServerError.self) { try server.start() }
        guard case .invalidConfiguration(let reason) = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(reason.hasPrefix("the certificate and key: "), "\(reason)")
        #expect(!server.isRunning)
    }
}
