import Glibc

/// Raises the soft limit of open files to the hard limit, as Go programs (the other exporters) do at start:
/// every HTTP connection and database connection is a descriptor.
enum FileDescriptorLimit {
    static func raiseToHardLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
