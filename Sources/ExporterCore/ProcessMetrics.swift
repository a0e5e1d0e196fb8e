import Exposition
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard `process_*` metrics, read from `/proc` in the background (never on the request path).
struct ProcessMetrics: Sendable {
    var cpuSeconds: Double = 0
    var residentMemoryBytes: Double = 0
    var virtualMemoryBytes: Double = 0
    var openFileDescriptors: Double = 0
    var maxFileDescriptors: Double = 0
    var startTimeSeconds: Double = 0

    /// Reads the current values. Fields that cannot be read stay 0 (a non-Linux system has no `/proc`).
    static func read() -> ProcessMetrics {
        var metrics = ProcessMetrics()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = ProcFile.contents("/proc/self/stat"),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name, which may itself hold spaces and parentheses; field 3 is index 0 here.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double { fields.count > number - 3 ? Double(fields[number - 3]) ?? 0 : 0 }
            metrics.cpuSeconds = (field(14) + field(15)) / ticks
            metrics.virtualMemoryBytes = field(23)
            metrics.residentMemoryBytes = field(24) * pageSize
            metrics.startTimeSeconds = bootTime + field(22) / ticks
        }
        metrics.openFileDescriptors = Double((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0)
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            metrics.maxFileDescriptors = limit.rlim_cur == rlim_t.max ? .infinity : Double(limit.rlim_cur)
        }
        return metrics
    }

    /// When the system booted, in seconds since the epoch (`btime` of /proc/stat); read once.
    private static let bootTime: Double = {
        guard let stat = ProcFile.contents("/proc/stat") else { return 0 }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).filter { !$0.isWhitespace }) ?? 0
        }
        return 0
    }()

    var families: [MetricFamily] {
        [
            MetricFamily(name: "process_cpu_seconds_total", type: .counter, help: "Total user and system CPU time spent in seconds.", samples: [Sample(value: cpuSeconds)]),
            MetricFamily(name: "process_max_fds", type: .gauge, help: "Maximum number of open file descriptors.", samples: [Sample(value: maxFileDescriptors)]),
            MetricFamily(name: "process_open_fds", type: .gauge, help: "Number of open file descriptors.", samples: [Sample(value: openFileDescriptors)]),
            MetricFamily(name: "process_resident_memory_bytes", type: .gauge, help: "Resident memory size in bytes.", samples: [Sample(value: residentMemoryBytes)]),
            MetricFamily(name: "process_start_time_seconds", type: .gauge, help: "Start time of the process since unix epoch in seconds.", samples: [Sample(value: startTimeSeconds)]),
            MetricFamily(name: "process_virtual_memory_bytes", type: .gauge, help: "Virtual memory size in bytes.", samples: [Sample(value: virtualMemoryBytes)]),
        ]
    }
}
