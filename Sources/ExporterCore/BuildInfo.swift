/// What this binary is: served as `chat_exporter_build_info` and shown by `--version`.
public enum BuildInfo {
    public static let version = "0.1.0"
    /// The git revision, set by the build scripts through `CHAT_EXPORTER_REVISION`-generated code; "unknown" otherwise.
    public static let revision = GeneratedRevision.value
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

enum GeneratedRevision {
    static let value = "unknown"
}
