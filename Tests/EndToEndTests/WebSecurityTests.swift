import Foundation
import Synchronization
import Testing
import TestSupport

/// `--web.config.file` in the exporter-toolkit format: basic auth with bcrypt hashes, TLS, client certificates.
struct WebSecurityTests {
    static let collectors = TestCollectors.selectOne

    private func temporaryDirectory() throws -> String {
        try TemporaryDirectory(prefix: "web").path
    }

    /// The bcrypt hash `htpasswd` makes of `user`'s `password` (cost 10 unless told), as basic_auth_users wants it.
    private func bcryptHash(_ user: String, _ password: String, cost: Int = 10) throws -> String {
        let hashed = try runProcess("htpasswd", ["-nbBC", "\(cost)", user, password])
        #expect(hashed.status == 0)
        return String(hashed.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", maxSplits: 1)[1])
    }

    /// A self-signed P-256 certificate for `commonName`, valid for a day: `name`.key and `name`.crt in `directory`.
    private func selfSigned(_ commonName: String, name: String, in directory: String) throws {
        let generated = try runProcess("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                                                   "-subj", "/CN=\(commonName)", "-keyout", directory + "/\(name).key", "-out", directory + "/\(name).crt"])
        #expect(generated.status == 0, "\(generated.stderr)")
    }

    private func basicHeader(_ user: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
    }

    @Test func basicAuthWithBcryptHashesFromHtpasswd() throws {
        let hash = try bcryptHash("prometheus", "scrape-secret")
        try withExporter(webConfig: "basic_auth_users:\n  prometheus: '\(hash)'\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n") { exporter, _ in
            let anonymous = try exporter.get("/metrics")
            #expect(anonymous.status == 401)
            #expect(anonymous.header("www-authenticate")?.hasPrefix("Basic realm=") == true)
            #expect(anonymous.header("x-frame-options") == "deny", "the web config's headers go with every answer")
            let wrong = try exporter.get("/metrics", headers: [basicHeader("prometheus", "wrong")])
            #expect(wrong.status == 401 && wrong.header("x-frame-options") == "deny", "a verified wrong password too")
            #expect(try exporter.get("/nowhere").header("x-frame-options") == "deny")
            #expect(try exporter.get("/metrics", headers: [basicHeader("nobody", "scrape-secret")]).status == 401)
            #expect(try exporter.get("/", headers: []).status == 401)
            #expect(try exporter.get("/-/ready").status == 200, "the readiness probe stays open (documented): a kubelet sends no password")
            #expect(try exporter.get("/-/healthy").status == 200, "the liveness probe stays open (documented)")
            let authorized = try exporter.get("/metrics", headers: [basicHeader("prometheus", "scrape-secret")])
            #expect(authorized.status == 200 && authorized.header("x-frame-options") == "deny")
            #expect(authorized.text.contains("chat_exporter_build_info"))
            #expect(!exporter.process.stderr().contains("scrape-secret"))
        }
    }

    /// A password being verified (bcrypt, slow on purpose) does not hold up the scrapes of a client whose
    /// credentials were verified before, on the exporter's one HTTP thread: a client sending wrong passwords cannot
    /// stall Prometheus.
    @Test func aPasswordBeingVerifiedDoesNotHoldUpVerifiedScrapes() throws {
        // Cost 14: a verification takes a second or more of CPU.
        let slowHash = try bcryptHash("slow", "right", cost: 14)
        let hash = try bcryptHash("prometheus", "scrape-secret")
        try withExporter(webConfig: "basic_auth_users:\n  prometheus: '\(hash)'\n  slow: '\(slowHash)'\n") { exporter, _ in
            #expect(try exporter.get("/metrics", headers: [basicHeader("prometheus", "scrape-secret")]).status == 200)
            #expect(exporter.process.stderr().contains("msg=\"web configuration warning\""), "two costs, warned at start-up")

            let cpuBefore = try cpuSeconds(of: exporter.process.pid)
            let wrong = Mutex<HTTPTestResponse?>(nil)
            Thread.detachNewThread {
                let response = try? exporter.get("/metrics", headers: [basicHeader("slow", "wrong")])
                wrong.withLock { $0 = response }
            }
            try waitUntil(timeout: .seconds(30), "the exporter is verifying the wrong password (0.3 s of CPU)") {
                try cpuSeconds(of: exporter.process.pid) - cpuBefore >= 0.3
            }
            for _ in 0..<5 {
                #expect(try exporter.get("/metrics", headers: [basicHeader("prometheus", "scrape-secret")]).status == 200)
            }
            #expect(wrong.withLock { $0 } == nil, "the verified scrapes were answered while the wrong password was still being verified")
            try waitUntil(timeout: .seconds(60), "the wrong password is answered") { wrong.withLock { $0 != nil } }
            #expect(wrong.withLock { $0?.status } == 401)
        }
    }

    /// User plus system CPU time the process has used, from /proc/PID/stat.
    private func cpuSeconds(of pid: Int32) throws -> Double {
        let fields = try #require(processStatFields(of: pid))
        let ticks = try #require(Double(fields[11])) + (try #require(Double(fields[12])))
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func tlsServesHTTPSAndRefusesPlainHTTP() throws {
        let webConfig = """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              min_version: TLS12
            """
        try withExporter(webConfig: webConfig, prepare: { try selfSigned("localhost", name: "server", in: $0) }) { exporter, directory in
            let https = try runProcess("curl", ["-sS", "--cacert", directory + "/server.crt", "--resolve", "localhost:\(exporter.port):127.0.0.1",
                                                "-o", "/dev/null", "-w", "%{http_code}", "https://localhost:\(exporter.port)/metrics"])
            #expect(https.stdout == "200", "\(https.stderr)")
            let plain = try runProcess("curl", ["-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(exporter.port)/metrics"])
            #expect(plain.stdout != "200")
            let tls11 = try runProcess("curl", ["-sS", "-k", "--tls-max", "1.1", "-o", "/dev/null", "-w", "%{http_code}", "https://127.0.0.1:\(exporter.port)/metrics"])
            #expect(tls11.stdout != "200", "TLS 1.1 is refused")
        }
    }

    @Test func clientCertificatesAreRequiredAndVerified() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func openssl(_ arguments: [String]) throws {
            let result = try runProcess("openssl", arguments)
            #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        let d = directory
        try selfSigned("test-ca", name: "ca", in: d)
        try selfSigned("localhost", name: "server", in: d)
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=prometheus", "-keyout", d + "/client.key", "-out", d + "/client.csr"])
        try openssl(["x509", "-req", "-in", d + "/client.csr", "-CA", d + "/ca.crt", "-CAkey", d + "/ca.key", "-CAcreateserial", "-days", "1", "-out", d + "/client.crt"])
        try """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
            """.write(toFile: d + "/web.yml", atomically: true, encoding: .utf8)
        let exporter = try RunningExporter(collectors: Self.collectors, database: database, arguments: ["--web.config.file", d + "/web.yml"])
        let url = "https://127.0.0.1:\(exporter.port)/metrics"
        let with = try runProcess("curl", ["-sS", "-k", "--cert", d + "/client.crt", "--key", d + "/client.key", "-o", "/dev/null", "-w", "%{http_code}", url])
        #expect(with.stdout == "200", "\(with.stderr)")
        let without = try runProcess("curl", ["-sS", "-k", "-o", "/dev/null", "-w", "%{http_code}", url])
        #expect(without.stdout != "200")
    }

    /// SIGHUP reads the web config again: new users take effect on the same port, and a file that does not load
    /// keeps the running users and reports the failed reload.
    @Test func sighupReloadsBasicAuthUsers() throws {
        let aliceHash = try bcryptHash("alice", "first-secret"), bobHash = try bcryptHash("bob", "second-secret")
        try withExporter(webConfig: "basic_auth_users:\n  alice: '\(aliceHash)'\n") { exporter, directory in
            let webConfig = directory + "/web.yml"
            let alice = basicHeader("alice", "first-secret"), bob = basicHeader("bob", "second-secret")
            #expect(try exporter.get("/metrics", headers: [alice]).status == 200)
            #expect(try exporter.get("/metrics", headers: [bob]).status == 401)
            #expect(!exporter.process.stderr().contains("web configuration warning"), "one user, one cost")

            // Bob, and carol of another cost: applied, with the warning that says so.
            let carolHash = try bcryptHash("carol", "third-secret", cost: 4)
            try "basic_auth_users:\n  bob: '\(bobHash)'\n  carol: '\(carolHash)'\n".write(toFile: webConfig, atomically: true, encoding: .utf8)
            exporter.process.signal(SIGHUP)
            // Logged once the old daemon is gone (until then it may answer a connection accepted just before).
            try waitUntil(timeout: .seconds(20), "the reload is logged; stderr:\n\(exporter.process.stderr())") {
                exporter.process.stderr().contains("web configuration reloaded")
            }
            #expect(try exporter.get("/metrics", headers: [bob]).status == 200, "bob is let in")
            #expect(try exporter.get("/metrics", headers: [alice]).status == 401, "alice was removed")
            #expect(exporter.process.stderr().contains("the bcrypt costs differ (carol: 4; bob: 10)"), "\(exporter.process.stderr())")

            try "basic_auth_users:\n  bob: not-a-hash\n".write(toFile: webConfig, atomically: true, encoding: .utf8)
            exporter.process.signal(SIGHUP)
            func reloadSuccessful() -> Double? {
                guard let response = try? exporter.get("/metrics", headers: [bob]), response.status == 200 else { return nil }
                return Exposition(text: response.text).value("chat_exporter_config_last_reload_successful")
            }
            try waitUntil(timeout: .seconds(20), "the failed reload is reported; stderr:\n\(exporter.process.stderr())") {
                reloadSuccessful() == 0
            }
            #expect(try exporter.get("/metrics", headers: [bob]).status == 200, "bob's running entry stays")
            #expect(exporter.process.stderr().contains("web configuration reload failed"))
            #expect(exporter.process.stderr().contains("web.yml:2:8: the password of \\\"bob\\\" is not a bcrypt hash"), "\(exporter.process.stderr())")
            let stderr = exporter.process.stderr()
            #expect(!stderr.contains(aliceHash) && !stderr.contains(bobHash) && !stderr.contains("not-a-hash"), "no hash, good or bad, is logged")

            // Emptied (a truncated write): the running users stay, the metrics are not served to anyone.
            try "".write(toFile: webConfig, atomically: true, encoding: .utf8)
            exporter.process.signal(SIGHUP)
            try waitUntil(timeout: .seconds(20), "the emptied file's reload fails; stderr:\n\(exporter.process.stderr())") {
                exporter.process.stderr().contains("web.yml: the file is empty")
            }
            #expect(try exporter.get("/metrics").status == 401, "still asks for credentials")
            #expect(try exporter.get("/metrics", headers: [bob]).status == 200)
            #expect(reloadSuccessful() == 0)
        }
    }

    /// A web config broken on disk fails a reload (ChatExporterConfigReloadFailed); put back as it was, the watcher
    /// reloads once more and the failure does not stand until someone sends SIGHUP.
    @Test func aWebConfigPutBackClearsTheFailedReload() throws {
        let good = "basic_auth_users:\n  alice: '\(try bcryptHash("alice", "first-secret"))'\n"
        try withExporter(webConfig: good, arguments: ["--web.config.reload-interval", "1s"]) { exporter, directory in
            let webConfig = directory + "/web.yml"
            let alice = basicHeader("alice", "first-secret")
            func reloadSuccessful() -> Double? {
                guard let response = try? exporter.get("/metrics", headers: [alice]), response.status == 200 else { return nil }
                return Exposition(text: response.text).value("chat_exporter_config_last_reload_successful")
            }
            #expect(reloadSuccessful() == 1)
            try "basic_auth_users:\n  alice: not-a-hash\n".write(toFile: webConfig, atomically: true, encoding: .utf8)
            try waitUntil(timeout: .seconds(20), "the broken file fails a reload; stderr:\n\(exporter.process.stderr())") {
                reloadSuccessful() == 0
            }
            try good.write(toFile: webConfig, atomically: true, encoding: .utf8)
            try waitUntil(timeout: .seconds(20), "the file put back clears it; stderr:\n\(exporter.process.stderr())") {
                reloadSuccessful() == 1
            }
            #expect(exporter.process.stderr().contains("web configuration loads again: reloading"))
        }
    }

    /// Credentials verified before a reload are not verified again after it while the user's hash stays the same
    /// (a reload that renews a certificate or changes a header costs Prometheus no bcrypt); the same password under a
    /// new hash is verified again.
    @Test func verifiedCredentialsOutliveAReloadWhileTheHashStays() throws {
        // Cost 14: a verification takes a second or more of CPU; a remembered one, microseconds.
        let hash = try bcryptHash("prometheus", "right", cost: 14)
        try withExporter(webConfig: "basic_auth_users:\n  prometheus: '\(hash)'\n") { exporter, directory in
            let webConfig = directory + "/web.yml"
            let credentials = basicHeader("prometheus", "right")
            func cpuOfAScrape() throws -> Double {
                let before = try cpuSeconds(of: exporter.process.pid)
                #expect(try exporter.get("/metrics", headers: [credentials]).status == 200)
                return try cpuSeconds(of: exporter.process.pid) - before
            }
            func reload(users: String, header: String) throws {
                try "basic_auth_users:\n\(users)http_server_config:\n  headers:\n    Content-Security-Policy: \(header)\n"
                    .write(toFile: webConfig, atomically: true, encoding: .utf8)
                exporter.process.signal(SIGHUP)
                try waitUntil(timeout: .seconds(20), "the reload with header \(header) is served; stderr:\n\(exporter.process.stderr())") {
                    (try? exporter.get("/-/healthy"))?.header("content-security-policy") == header
                }
            }
            #expect(try cpuOfAScrape() >= 0.3, "the first scrape is verified")
            #expect(try cpuOfAScrape() < 0.3, "the next one is remembered")

            try reload(users: "  prometheus: '\(hash)'\n", header: "one")
            #expect(try cpuOfAScrape() < 0.3, "remembered across a reload that kept the hash")

            let rehashed = try bcryptHash("prometheus", "right", cost: 14)  // the same password, a new salt
            try reload(users: "  prometheus: '\(rehashed)'\n", header: "two")
            #expect(try cpuOfAScrape() >= 0.3, "verified again under the new hash")
        }
    }

    /// A certificate renewed in place (cert-manager, certbot) is served after SIGHUP, on the same port.
    @Test func sighupServesARenewedCertificate() throws {
        try withTLSExporter { exporter, directory in
            func servedSubject() throws -> String? { try Self.servedSubject(exporter) }
            #expect(try servedSubject() == "CN=first.localhost")

            try selfSigned("renewed.localhost", name: "server", in: directory)
            exporter.process.signal(SIGHUP)
            try waitUntil(timeout: .seconds(20), "the reload is logged; stderr:\n\(exporter.process.stderr())") {
                exporter.process.stderr().contains("web configuration reloaded")
            }
            #expect(try servedSubject() == "CN=renewed.localhost")
            let https = try runProcess("curl", ["-sS", "--cacert", directory + "/server.crt", "--resolve", "renewed.localhost:\(exporter.port):127.0.0.1",
                                                "-o", "/dev/null", "-w", "%{http_code}", "https://renewed.localhost:\(exporter.port)/metrics"])
            #expect(https.stdout == "200", "verified against the renewed certificate: \(https.stderr)")
            #expect(!exporter.process.stderr().contains("PRIVATE KEY"))
        }
    }

    /// A certificate renewed in place, with nobody sending SIGHUP (cert-manager, a Secret the kubelet updates), is
    /// served within two reload intervals; a broken file is reloaded (and fails) once, not at every look, and the
    /// renewal after it is served again.
    @Test func aRenewedCertificateIsServedWithoutASignal() throws {
        try withTLSExporter(arguments: ["--web.config.reload-interval=1s"]) { exporter, directory in
            func servedSubject() throws -> String? { try Self.servedSubject(exporter) }
            #expect(try servedSubject() == "CN=first.localhost")

            try selfSigned("renewed.localhost", name: "server", in: directory)
            try waitUntil(timeout: .seconds(20), "the renewed certificate is served") { try servedSubject() == "CN=renewed.localhost" }
            #expect(exporter.process.stderr().contains("web configuration changed on disk: reloading"))

            try "not a certificate".write(toFile: directory + "/server.crt", atomically: true, encoding: .utf8)
            func failedReloads() -> Int { exporter.process.stderr().components(separatedBy: "web configuration reload failed").count - 1 }
            try waitUntil(timeout: .seconds(20), "the broken certificate fails the reload") { failedReloads() == 1 }
            #expect(try servedSubject() == "CN=renewed.localhost", "the running certificate stays")
            // Looked at three times more while it stays broken: no second failed reload (a wait that ends early only if
            // one comes).
            #expect(throws: TimeoutError.self) { try waitUntil(timeout: .seconds(3), "a second failed reload") { failedReloads() > 1 } }
            #expect(failedReloads() == 1)

            try selfSigned("third.localhost", name: "server", in: directory)
            try waitUntil(timeout: .seconds(20), "the next renewal is served") { try servedSubject() == "CN=third.localhost" }
        }
    }

    @Test func aBrokenWebConfigStopsTheStartWithItsPosition() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "basic_auth_users:\n  alice: not-a-hash\n".write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
        let result = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/web.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
        #expect(result.status == 1)
        #expect(result.stderr.contains(directory + "/web.yml:2:10: the password of \\\"alice\\\" is not a bcrypt hash"))
        // Costs crypt(3) takes and then never verifies (3, 99), or that make a wrong password take hours (31).
        let hash = try bcryptHash("alice", "secret", cost: 4)
        for cost in ["03", "31", "99"] {
            let text = "basic_auth_users:\n  alice: '\(hash.replacingOccurrences(of: "$04$", with: "$\(cost)$"))'\n"
            try text.write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
            let costly = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/web.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
            #expect(costly.status == 1)
            #expect(costly.stderr.contains("web.yml:2:10: the bcrypt cost of \\\"alice\\\"'s hash is \(Int(cost)!): use 4 to 16"), "\(costly.stderr)")
        }
        try "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  cipher_suites: [x]\n".write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
        let unknown = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/web.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("web.yml:4:3: \\\"cipher_suites\\\" (exporter-toolkit) is not supported by chat-exporter: TLS 1.2 offers ECDHE"), "\(unknown.stderr)")
        try "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  cipher_suite: [x]\n".write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
        let misspelt = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/web.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
        #expect(misspelt.stderr.contains("web.yml:4:3: unknown key \\\"cipher_suite\\\""), "\(misspelt.stderr)")
        for (text, expected) in [
            // Headers: the ones exporter-toolkit allows, with its values where it lists them, and no line break.
            ("http_server_config:\n  headers:\n    X-Powered-By: me\n", "web.yml:3:19: HTTP header \\\"X-Powered-By\\\" cannot be configured"),
            ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "web.yml:3:22: X-Frame-Options must be one of deny, sameorigin"),
            ("http_server_config:\n  headers:\n    Content-Security-Policy: \"a\\r\\nSet-Cookie: x\"\n", "web.yml:3:30: the value of Content-Security-Policy holds a control character"),
            // Not YAML at all: the parser's position, for a syntax error and for a character YAML does not allow.
            ("basic_auth_users:\n  alice: [x\n", "web.yml:3:1: YAML syntax error: "),
            ("basic_auth_users:\n  alice: a\u{7}b\n", "web.yml:2:11: YAML syntax error: control characters are not allowed"),
            // Empty: a truncated write, not "turn TLS and authentication off" (`{}` says that).
            ("", "web.yml: the file is empty (or only comments): write {} for no TLS and no authentication"),
            ("# tls_server_config:\n", "web.yml: the file is empty (or only comments)"),
        ] {
            try text.write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
            let broken = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/web.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
            #expect(broken.status == 1)
            #expect(broken.stderr.contains(expected), "\(broken.stderr)")
        }
        // Files that cannot be read: the system's reason.
        let missing = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/absent.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("absent.yml: cannot read: No such file or directory"), "\(missing.stderr)")
        try "tls_server_config:\n  cert_file: absent.crt\n  key_file: absent.key\n".write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
        let noCertificate = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/web.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
        #expect(noCertificate.status == 1)
        #expect(noCertificate.stderr.contains("cannot read cert_file \(directory)/absent.crt: No such file or directory"), "\(noCertificate.stderr)")
        // A client CA file that holds no certificate (the key, named by mistake): every client would be refused.
        try selfSigned("localhost", name: "server", in: directory)
        try """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: server.key
            """.write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
        let keyAsCA = try runProcess(Binary.chatExporter, ["--web.config.file", directory + "/web.yml", "--web.listen-address=127.0.0.1:\(freeTCPPort())"], environment: [:], timeout: .seconds(20))
        #expect(keyAsCA.status == 1)
        #expect(keyAsCA.stderr.contains("the client CA: no certificate in it"), "\(keyAsCA.stderr)")
    }

    /// An exporter serving HTTPS with a self-signed certificate for first.localhost (`server.crt`, `server.key` in
    /// `directory`, named by its `web.yml`), and `arguments`.
    private func withTLSExporter(arguments: [String] = [], _ body: (RunningExporter, String) throws -> Void) throws {
        try withExporter(
            webConfig: "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n", arguments: arguments,
            prepare: { try selfSigned("first.localhost", name: "server", in: $0) }, body)
    }

    /// An exporter on a database of its own, started with `webConfig` as its `--web.config.file` (`web.yml` in a new
    /// directory, where `prepare` may first put the files it names) and `arguments`; `body` gets it and the directory.
    private func withExporter(
        webConfig: String, arguments: [String] = [], prepare: (String) throws -> Void = { _ in },
        _ body: (RunningExporter, String) throws -> Void
    ) throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try prepare(directory)
        try webConfig.write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
        let exporter = try RunningExporter(collectors: Self.collectors, database: database, arguments: ["--web.config.file", directory + "/web.yml"] + arguments)
        try body(exporter, directory)
    }

    /// The subject of the certificate the exporter serves over HTTPS (not verified).
    private static func servedSubject(_ exporter: RunningExporter) throws -> String? {
        let result = try runProcess("curl", ["-sS", "-v", "-k", "-o", "/dev/null", "https://127.0.0.1:\(exporter.port)/metrics"])
        return result.stderr.split(separator: "\n").first { $0.contains("subject: ") }
            .map { String($0[$0.range(of: "subject: ")!.upperBound...]) }
    }
}
