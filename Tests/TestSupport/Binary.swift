import Foundation

/// The programs the end-to-end tests run.
public enum Binary {
    /// The path of the built `chat-exporter`: `CHAT_EXPORTER_BIN` when set; otherwise the one beside the
    /// running test bundle (so `swift test --scratch-path X` finds X's build); otherwise
    /// `<package root>/.build/debug/chat-exporter`. Throws, saying to run `swift build` first, when the
    /// file isn't there.
    public static var chatExporter: String {
        get throws {
            let fileManager = FileManager.default
            if let explicit = ProcessInfo.processInfo.environment["CHAT_EXPORTER_BIN"], !explicit.isEmpty {
                guard fileManager.isExecutableFile(atPath: explicit) else {
                    throw TestSupportError("CHAT_EXPORTER_BIN=\(explicit) is not an executable file")
                }
                return explicit
            }
            var candidates: [String] = []
            if let testExecutable = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                candidates.append(URL(fileURLWithPath: testExecutable).deletingLastPathComponent().path + "/chat-exporter")
            }
            candidates.append(PackageLayout.root + "/.build/debug/chat-exporter")
            if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0) }) {
                return found
            }
            throw TestSupportError(
                "the chat-exporter binary is missing (looked at \(candidates.joined(separator: ", "))): "
                    + "run `swift build` first, or set CHAT_EXPORTER_BIN"
            )
        }
    }
}
