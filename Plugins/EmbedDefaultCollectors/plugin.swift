import Foundation
import PackagePlugin

/// Embeds `collectors/default.yml` into the binary, so `chat-exporter` without `--config.file` serves the
/// default collectors from the very file the repository ships (and users copy).
@main
struct EmbedDefaultCollectors: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "collectors/default.yml")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedDefaultCollectors.swift")
        return [
            .buildCommand(
                displayName: "Embedding collectors/default.yml",
                executable: try context.tool(named: "embed-file").url,
                arguments: [input.path, output.path, "EmbeddedDefaultCollectors"],
                inputFiles: [input],
                outputFiles: [output]
            )
        ]
    }
}
