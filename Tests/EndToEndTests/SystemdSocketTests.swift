import Foundation
import Testing
import TestSupport

/// `--web.systemd-socket`, exporter-toolkit's flag: served on the sockets systemd's socket activation passes, started
/// here by systemd-socket-activate, systemd's own tool for it (the `.socket` unit's protocol: fds from 3 on,
/// LISTEN_PID, LISTEN_FDS).
struct SystemdSocketTests {
    @Test func theSocketsSystemdPassesAreServedAndTheListenAddressIsNot() throws {
        let database = try TestPostgres.shared().createDatabase()
        defer { database.drop() }
        let temporary = try TemporaryDirectory(prefix: "systemd-socket")
        defer { temporary.remove() }
        let directory = temporary.path
        try TestCollectors.selectOne.write(toFile: directory + "/collectors.yml", atomically: true, encoding: .utf8)
        let port = freeTCPPort(), second = freeTCPPort(), ignored = freeTCPPort()
        let child = try socketActivated(
            listening: ["127.0.0.1:\(port)", "127.0.0.1:\(second)"], dsn: database.keyValueDSN,
            arguments: ["--web.listen-address=127.0.0.1:\(ignored)", "--config.file", directory + "/collectors.yml"], in: directory)
        defer { stop(child) }
        func log() -> String { TemporaryDirectory.readText(directory + "/stderr") }

        // The first connection starts the exporter (systemd-socket-activate execs it), which then answers it.
        try waitUntil(timeout: .seconds(30), "the exporter answers on the passed socket; log:\n\(log())") {
            (try? HTTPTestClient.get(port: port, path: "/metrics"))?.text.contains("test_one 1") == true
        }
        #expect(throws: (any Error).self, "--web.listen-address is not bound") {
            try HTTPTestClient.get(port: ignored, path: "/metrics", timeout: .seconds(2))
        }
        #expect((try? HTTPTestClient.get(port: second, path: "/metrics"))?.text.contains("test_one 1") == true, "the second socket too")
        #expect(log().contains("msg=listening address=\"127.0.0.1:\(port) (file descriptor 3)\" port=\(port)"), "\(log())")
        #expect(log().contains("msg=listening address=\"127.0.0.1:\(second) (file descriptor 4)\" port=\(second)"), "\(log())")

        child.send(SIGTERM)
        #expect(child.wait(until: .now + .seconds(15)) == 0, "a clean stop, as from --web.listen-address; log:\n\(log())")
    }

    /// Started without the socket (the flag in a unit that has no .socket, or by hand), or with another process's:
    /// it says what is wrong and how to start it, before anything listens.
    @Test func withoutItsSocketItSaysHowToStartIt() throws {
        for (environment, expected) in [
            ([:], "systemd passed no socket (LISTEN_PID and LISTEN_FDS are not set): start chat-exporter from its .socket unit"),
            (["LISTEN_PID": "1", "LISTEN_FDS": "1"], "the sockets systemd passed are for process 1"),
        ] {
            let result = try runProcess(
                Binary.chatExporter, ["--web.systemd-socket", "--web.listen-address=127.0.0.1:\(freeTCPPort())"],
                environment: environment, timeout: .seconds(20))
            #expect(result.status == 1)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
        }
    }

    /// A path among the unit's ListenStream= lines (a UNIX socket): refused at the start, naming the socket and the
    /// line to change, rather than served on the TCP ones only.
    @Test func aUnixSocketAmongThemIsRefusedSayingWhichLine() throws {
        let temporary = try TemporaryDirectory(prefix: "systemd-unix")
        defer { temporary.remove() }
        let directory = temporary.path
        let port = freeTCPPort()
        let child = try socketActivated(
            listening: ["127.0.0.1:\(port)", directory + "/exporter.sock"], dsn: "host=127.0.0.1 port=1 dbname=x", arguments: [],
            in: directory)
        defer { stop(child) }
        func log() -> String { TemporaryDirectory.readText(directory + "/stderr") }
        // The first connection starts it; it answers nothing and exits.
        try waitUntil(timeout: .seconds(30), "systemd-socket-activate listens; log:\n\(log())") { tcpPortAnswers(host: "127.0.0.1", port: port) }
        #expect(child.wait(until: .now + .seconds(20)) == 1, "log:\n\(log())")
        #expect(log().contains("socket 2 of the 2 systemd passed (file descriptor 4) is not a listening TCP socket"), "\(log())")
        #expect(log().contains("each ListenStream= is a port or an address:port (not a path)"), "\(log())")
    }

    /// systemd-socket-activate listening on `listening` (each a `-l`), which starts chat-exporter with
    /// `--web.systemd-socket` and `arguments` at the first connection; its output goes to `directory`. It passes the
    /// environment only as `-E` says: the DSN and nothing else.
    private func socketActivated(listening: [String], dsn: String, arguments: [String], in directory: String) throws -> ChildProcess {
        try ChildProcess.spawn(
            executable: "/usr/bin/systemd-socket-activate",
            arguments: listening.flatMap { ["-l", $0] } + ["-E", "DATA_SOURCE_NAME=\(dsn)", try Binary.chatExporter, "--web.systemd-socket"]
                + arguments,
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            stdinPath: nil, stdoutPath: directory + "/stdout", stderrPath: directory + "/stderr", newProcessGroup: false)
    }

    private func stop(_ child: ChildProcess) {
        if child.poll() == nil { child.send(SIGKILL) }
        _ = child.wait(until: .now + .seconds(5))
    }
}
