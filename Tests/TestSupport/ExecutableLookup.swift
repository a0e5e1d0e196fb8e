import Foundation

/// Finds executables the way a shell does.
enum ExecutableLookup {
    /// `name` itself when it holds a slash, otherwise the first executable file called `name` in
    /// the directories of `PATH`; nil when there is none.
    static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let fileManager = FileManager.default
        if name.contains("/") {
            return fileManager.isExecutableFile(atPath: name) ? name : nil
        }
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                fileManager.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }

    /// Like ``find(_:path:)``, but throws a clear error when there is no such executable.
    static func require(_ name: String, hint: String? = nil) throws -> String {
        if let found = find(name) {
            return found
        }
        let advice = hint.map { " (\($0))" } ?? ""
        throw TestSupportError("executable '\(name)' not found on PATH\(advice)")
    }
}
