import Glibc

/// Small text formatting without Foundation's formatters: they run on every snapshot render and every log line,
/// and Foundation's date and number formatters pull in ICU.
public enum TextFormatting {
    /// `2026-11-22T03:16:27.116Z` for a time in seconds since the epoch (UTC, milliseconds).
    public static func iso8601(secondsSinceEpoch seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        let milliseconds = Int(((seconds - Double(whole)) * 1000).rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(min(milliseconds, 999), 3))Z"
    }

    /// The current time as ``iso8601(secondsSinceEpoch:)``.
    public static func now() -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        return iso8601(secondsSinceEpoch: Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9)
    }

    /// `value` with exactly `decimals` digits after the point (`fixed(0.0164, 3)` is `0.016`).
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let integral = scaled / Int64(scale)
        let fraction = scaled % Int64(scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return decimals == 0 ? "\(sign)\(integral)" : "\(sign)\(integral).\(pad(Int(fraction), decimals))"
    }

    /// `value` in decimal with at least `width` digits, zero-padded.
    public static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
