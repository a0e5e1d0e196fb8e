import Foundation
import PackagePlugin

/// Embeds build-time facts into the binary:
/// - for `CollectorConfig`, `collectors/default.yml`, so `chat-exporter` without `--config.file` serves the default
///   collectors from the very file the repository ships (and users copy);
/// - for `ExporterCore`, the git revision of the checkout (for `chat_exporter_build_info` and `--version`).
@main
struct EmbedBuildFacts: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "embed-file").url
        let package = context.package.directoryURL
        switch target.name {
        case "ExporterCore":
            let revision = Self.gitRevision(package) ?? "unknown"
            let input = context.pluginWorkDirectoryURL.appending(path: "revision.txt")
            if (try? String(contentsOf: input, encoding: .utf8)) != revision {
                try revision.write(to: input, atomically: true, encoding: .utf8)
            }
            let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRevision.swift")
            return [.buildCommand(displayName: "Embedding the git revision", executable: tool,
                                  arguments: [input.path, output.path, "EmbeddedRevision"], inputFiles: [input], outputFiles: [output])]
        default:
            let input = package.appending(path: "collectors/default.yml")
            let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedDefaultCollectors.swift")
            return [.buildCommand(displayName: "Embedding collectors/default.yml", executable: tool,
                                  arguments: [input.path, output.path, "EmbeddedDefaultCollectors"], inputFiles: [input], outputFiles: [output])]
        }
    }

    /// The short commit id HEAD points at, read from .git without running git; nil outside a checkout.
    static func gitRevision(_ package: URL) -> String? {
        let git = package.appending(path: ".git")
        guard let head = try? String(contentsOf: git.appending(path: "HEAD"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
            return nil
        }
        var commit = head
        if head.hasPrefix("ref: ") {
            let ref = String(head.dropFirst(5))
            if let loose = try? String(contentsOf: git.appending(path: ref), encoding: .utf8) {
                commit = loose.trimmingCharacters(in: .whitespacesAndNewlines)
            } else if let packed = try? String(contentsOf: git.appending(path: "packed-refs"), encoding: .utf8),
                      let line = packed.split(separator: "\n").first(where: { $0.hasSuffix(" " + ref) }) {
                commit = String(line.prefix { $0 != " " })
            } else {
                return nil
            }
        }
        guard commit.count >= 12, commit.allSatisfy(\.isHexDigit) else { return nil }
        return String(commit.prefix(12))
    }
}
