import ArgumentParser
import CollectorConfig

/// A command-line duration written the Prometheus way (`500ms`, `10s`, `1m`).
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let duration: Duration
    let text: String

    init?(argument: String) {
        guard let duration = try? PrometheusDuration.parse(argument) else { return nil }
        self.duration = duration
        self.text = argument
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}
