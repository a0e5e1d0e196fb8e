import Exposition

/// Every sample of one run of all collectors, looked up by name and labels.
struct CollectedMetrics {
    /// Every series of every family, by name and labels.
    let samples: [SeriesKey: Double]

    /// Merges the families of all collector runs; two families holding the same series is an error.
    init(families: [MetricFamily]) throws {
        var samples: [SeriesKey: Double] = [:]
        for family in families {
            for sample in family.samples {
                let key = SeriesKey(family.name, Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) }))
                guard samples.updateValue(sample.value, forKey: key) == nil else {
                    throw HarnessError("the series \(key) is exposed twice")
                }
            }
        }
        self.samples = samples
    }

    /// The value of the series `name{labels}`, nil when it is absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples[SeriesKey(name, labels)]
    }

    /// The series of the metric `name`, whatever their labels.
    func series(named name: String) -> [SeriesKey: Double] {
        samples.filter { $0.key.name == name }
    }
}

/// A failure of the test harness itself (a collector failed, a fixture is inconsistent).
struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
