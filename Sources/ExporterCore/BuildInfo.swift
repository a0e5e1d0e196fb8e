/// What this binary is: served as `chat_exporter_build_info` and shown by `--version`.
public enum BuildInfo {
    public static let version = "0.1.0"
    /// The git commit the binary was built from (embedded at build time); "unknown" outside a git checkout.
    public static let revision = EmbeddedRevision.text
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }
}
