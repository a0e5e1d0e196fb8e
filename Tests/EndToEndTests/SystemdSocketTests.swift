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
        // It passes the environment only as -E says.
        let child = try ChildProcess.spawn(
            executable: "/usr/bin/systemd-socket-activate",
            arguments: [
                "-l", "127.0.0.1:\(port)", "-l", "127.0.0.1:\(second)", "-E", "DATA_SOURCE_NAME=\(database.keyValueDSN)",
                try Binary.chatExporter, "--web.systemd-socket", "--web.listen-address=127.0.0.1:\(ignored)",
                "--config.file", directory + "/collectors.yml",
            ],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            stdinPath: nil, stdoutPath: directory + "/stdout", stderrPath: directory + "/stderr", newProcessGroup: false)
        defer {
            if child.poll() == nil { child.send(SIGKILL) }
            _ = child.wait(until: .now + .seconds(5))
        }
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
}
