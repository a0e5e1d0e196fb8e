import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport

/// Checks the test support itself: the shared cluster and its template, the chat-creation triggers,
/// private clusters, the process, wait, HTTP and promtool helpers.
@Suite struct TestSupportSmokeTests {
    @Test func templateCopyHoldsThePlatformSchema() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }

        let tables = try database.scalar(
            """
            SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
            """
        )
        #expect(tables == "audit_logs,bookings,chat_rooms,lessons,messages,users")

        let triggers = try database.rows(
            """
            SELECT trigger_name, action_timing, event_manipulation FROM information_schema.triggers
            WHERE event_object_table = 'bookings' ORDER BY trigger_name
            """
        )
        #expect(triggers == [["booking_create_chat", "BEFORE", "INSERT"], ["booking_create_chat_update", "BEFORE", "UPDATE"]])

        let function = try database.scalar(
            """
            SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.proname = 'create_chat_on_booking_active' AND l.lanname = 'plpgsql'
              AND p.prorettype = 'trigger'::regtype
            """
        )
        #expect(function == "1")
        #expect(try database.scalar("SELECT count(*) FROM users") == "0")
    }

    @Test func activeBookingCreatesExactlyOneRoom() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        try insertTeacherStudentAndLesson(into: database)

        try database.execute(
            """
            INSERT INTO bookings (lesson_id, student_id, status)
            VALUES ('00000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-00000000000b', 'active');
            INSERT INTO bookings (lesson_id, student_id, status)
            VALUES ('00000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-00000000000b', 'active');
            """
        )
        let rooms = try database.rows("SELECT teacher_id, student_id, deleted_at FROM chat_rooms")
        #expect(rooms == [["00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b", ""]])
    }

    @Test func bookingTurningActiveCreatesTheRoom() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        try insertTeacherStudentAndLesson(into: database)

        try database.execute(
            """
            INSERT INTO bookings (id, lesson_id, student_id, status)
            VALUES ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-00000000000c',
                    '00000000-0000-0000-0000-00000000000b', 'pending');
            """
        )
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms") == "0")
        try database.execute("UPDATE bookings SET status = 'active' WHERE id = '00000000-0000-0000-0000-0000000000d1'")
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms") == "1")
    }

    @Test func bookingOfTheTeachersOwnLessonCreatesNoRoom() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        try insertTeacherStudentAndLesson(into: database)

        try database.execute(
            """
            INSERT INTO bookings (lesson_id, student_id, status)
            VALUES ('00000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-00000000000a', 'active');
            """
        )
        #expect(try database.scalar("SELECT count(*) FROM chat_rooms") == "0")
        #expect(try database.scalar("SELECT count(*) FROM bookings") == "1")
    }

    @Test func connectionStringsNameTheDatabase() throws {
        let server = try TestPostgres.shared()
        let database = try server.createDatabase()
        defer { database.drop() }

        #expect(database.name.hasPrefix("t_") && database.name.count == 34)
        #expect(database.keyValueDSN.contains("dbname=\(database.name)"))
        #expect(database.keyValueDSN.contains("port=\(server.port)"))
        #expect(database.uriDSN.hasPrefix("postgresql://postgres:"))
        #expect(database.uriDSN.hasSuffix("@\(server.host):\(server.port)/\(database.name)"))
        let psql = try runProcess(
            "psql", ["-X", "-A", "-t", "-c", "SELECT current_database()", database.uriDSN],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        )
        #expect(psql.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == database.name, "\(psql.stderr)")
    }

    @Test func privateClusterStopsAndStarts() throws {
        let cluster = try TestPostgres.makePrivateCluster()
        defer { cluster.destroy() }
        let database = try cluster.createDatabase()
        try database.execute("INSERT INTO users (email, role) VALUES ('a@example.test', 'teacher')")

        try cluster.stop()
        #expect(throws: (any Error).self) { try cluster.psql("SELECT 1") }
        #expect(!cluster.isAnswering)

        try cluster.start()
        #expect(try cluster.psql("SELECT 1") == "1")
        #expect(try database.scalar("SELECT email FROM users") == "a@example.test")

        #expect(throws: (any Error).self) { try TestPostgres.shared().stop() }
        #expect(try TestPostgres.shared().isAnswering)
    }

    @Test func runProcessReportsStatusOutputAndTimeouts() throws {
        let echoed = try runProcess("sh", ["-c", "cat; echo err >&2; exit 3"], stdin: "hello")
        #expect(echoed.status == 3)
        #expect(echoed.stdout == "hello")
        #expect(echoed.stderr == "err\n")

        let started = ContinuousClock.now
        #expect(throws: TimeoutError.self) {
            try runProcess("sh", ["-c", "sleep 30 & sleep 30"], timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(throws: (any Error).self) { try runProcess("no-such-program-here", []) }
    }

    @Test func waitUntilThrowsInsteadOfPassingSilently() async throws {
        #expect(throws: TimeoutError.self) {
            try waitUntil(timeout: .milliseconds(100), "never") { false }
        }
        var calls = 0
        try waitUntil(timeout: .seconds(5), pollEvery: .milliseconds(1), "the third call") {
            calls += 1
            return calls == 3
        }
        #expect(calls == 3)
        await #expect(throws: TimeoutError.self) {
            try await waitUntil(timeout: .milliseconds(100), "never, asynchronously") { () async in false }
        }
    }

    @Test func freeTCPPortsAreDistinctAndBindable() throws {
        let ports = (0..<20).map { _ in freeTCPPort() }
        #expect(Set(ports).count == ports.count)
        #expect(ports.allSatisfy { (1024..<65536).contains($0) })
    }

    @Test func promtoolChecksMetrics() throws {
        let good = try Promtool.checkMetrics("# HELP demo_total A counter.\n# TYPE demo_total counter\ndemo_total 1\n")
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let bad = try Promtool.checkMetrics("# TYPE demo counter\ndemo 1\n")
        #expect(bad.status != 0)
        #expect((bad.stdout + bad.stderr).contains("_total"))
    }

    @Test func httpClientReadsLengthChunkedAndHeadResponses() throws {
        let lengthServer = try CannedHTTPServer(response: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Twice: a\r\nX-Twice: b\r\nContent-Length: 5\r\n\r\nhello")
        let plain = try HTTPTestClient.get(port: lengthServer.port, path: "/metrics", headers: [("Accept-Encoding", "gzip")])
        #expect(plain.status == 200)
        #expect(plain.text == "hello")
        #expect(plain.headers["content-type"] == "text/plain")
        #expect(plain.header("X-Twice") == "a, b")
        let request = try lengthServer.receivedRequest()
        #expect(request.hasPrefix("GET /metrics HTTP/1.1\r\n"))
        #expect(request.contains("\r\nConnection: close\r\n"))
        #expect(request.contains("\r\nAccept-Encoding: gzip\r\n"))

        let chunkedServer = try CannedHTTPServer(response: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n")
        let chunked = try HTTPTestClient.get(port: chunkedServer.port, path: "/")
        #expect(chunked.text == "abcdefg")

        let headServer = try CannedHTTPServer(response: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
        let head = try HTTPTestClient.get(port: headServer.port, path: "/", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)

        let rawServer = try CannedHTTPServer(response: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        let raw = try HTTPTestClient.sendRaw(port: rawServer.port, bytes: Array("BROKEN\r\n\r\n".utf8))
        #expect(String(decoding: raw, as: UTF8.self).hasPrefix("HTTP/1.1 400 "))

        let silentServer = try CannedHTTPServer(response: nil)
        #expect(throws: TimeoutError.self) {
            try HTTPTestClient.get(port: silentServer.port, path: "/", timeout: .milliseconds(300))
        }
    }

    /// A teacher (…0a), a student (…0b) and a lesson (…0c) of the teacher.
    private func insertTeacherStudentAndLesson(into database: TestDatabase) throws {
        try database.execute(
            """
            INSERT INTO users (id, email, role) VALUES
                ('00000000-0000-0000-0000-00000000000a', 'teacher@example.test', 'teacher'),
                ('00000000-0000-0000-0000-00000000000b', 'student@example.test', 'student');
            INSERT INTO lessons (id, teacher_id, start_time, end_time)
            VALUES ('00000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-00000000000a',
                    now() - interval '2 hours', now() - interval '1 hour');
            """
        )
    }
}

/// Accepts one connection on 127.0.0.1, reads the request head, answers with a canned response
/// (or nothing, when `response` is nil, holding the connection until the client closes it).
private final class CannedHTTPServer: Sendable {
    /// What the serving thread hands back: the request head, once the exchange is over.
    private final class Exchange: Sendable {
        let request = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    let port: Int
    private let listener: Int32
    private let exchange = Exchange()

    init(response: String?) throws {
        guard let listener = boundTCPSocket() else { throw TestSupportError("CannedHTTPServer: socket/bind failed") }
        guard listen(listener, 1) == 0, let port = localTCPPort(of: listener) else {
            close(listener)
            throw TestSupportError("CannedHTTPServer: listen failed")
        }
        self.listener = listener
        self.port = port
        let exchange = exchange
        Thread.detachNewThread {
            defer { exchange.done.signal() }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                return
            }
            defer { close(connection) }
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !received.ends(with: Array("\r\n\r\n".utf8)) {
                let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                received += chunk[0..<count]
            }
            exchange.request.withLock { $0 = String(decoding: received, as: UTF8.self) }
            if let response {
                _ = Array(response.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            } else {
                while chunk.withUnsafeMutableBytes({ recv(connection, $0.baseAddress, $0.count, 0) }) > 0 {}
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// The request head the server received (waits up to 5 seconds for the exchange to finish).
    func receivedRequest() throws -> String {
        guard exchange.done.wait(timeout: .now() + 5) == .success, let text = exchange.request.withLock({ $0 }) else {
            throw TestSupportError("CannedHTTPServer: no request received")
        }
        return text
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
