import Foundation
import Glibc

/// The fields of /proc/PID/stat after the command name (which is in parentheses and may hold spaces): proc(5)'s
/// field 3, the state, at index 0, so its field N is at index N - 3 (the parent's pid at 1, utime and stime at 11
/// and 12). nil once the process is gone.
public func processStatFields(of pid: Int32) -> [Substring]? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: end)...].split(separator: " ")
}
