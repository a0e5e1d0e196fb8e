import Exposition

extension ExporterState {
    /// The `chat_exporter_*` families describing the exporter itself.
    var selfMetricFamilies: [MetricFamily] {
        func perCollector(_ name: String, _ type: MetricType, _ help: String, _ value: (CollectorStatus) -> Double?) -> MetricFamily {
            MetricFamily(name: name, type: type, help: help, samples: collectors.compactMap { status in
                value(status).map { Sample(labels: [Label(name: "collector", value: status.definition.name)], value: $0) }
            })
        }
        var families = [
            MetricFamily(name: "chat_exporter_build_info", type: .gauge, help: "A metric with a constant '1' value labeled by version, revision and the Swift version chat-exporter was built with.", samples: [
                Sample(labels: [Label(name: "version", value: BuildInfo.version), Label(name: "revision", value: BuildInfo.revision), Label(name: "swift_version", value: BuildInfo.swiftVersion)], value: 1),
            ]),
            MetricFamily(name: "chat_exporter_database_up", type: .gauge, help: "Whether the last connection attempt or query reached the database (1) or not (0).", samples: [
                Sample(value: databaseUp == true ? 1 : 0),
            ]),
            MetricFamily(name: "chat_exporter_database_connections", type: .gauge, help: "Database connections open or being opened.", samples: [Sample(value: Double(databaseConnections))]),
            MetricFamily(name: "chat_exporter_database_max_connections", type: .gauge, help: "The most database connections the exporter will hold (--database.max-connections).", samples: [Sample(value: Double(databaseMaxConnections))]),
            perCollector("chat_exporter_collector_success", .gauge, "Whether the collector's last run succeeded (1) or failed (0).") { status in
                status.lastRun.map { if case .success = $0.outcome { 1 } else { 0 } }
            },
            perCollector("chat_exporter_collector_duration_seconds", .gauge, "How long the collector's last run took, in seconds.") { $0.lastRun?.duration.seconds },
            perCollector("chat_exporter_collector_last_success_timestamp_seconds", .gauge, "When the collector last succeeded, in seconds since the epoch; 0 if it never has.") { status in
                status.lastSuccessAt?.timeIntervalSince1970 ?? 0
            },
            perCollector("chat_exporter_collector_interval_seconds", .gauge, "The collector's configured interval, in seconds.") { $0.definition.interval.seconds },
            perCollector("chat_exporter_collector_timeout_seconds", .gauge, "The collector's configured query timeout, in seconds.") { $0.definition.timeout.seconds },
            perCollector("chat_exporter_collector_series", .gauge, "Series the collector currently serves.") { status in
                Double(status.servedFamilies.reduce(0) { $0 + $1.samples.count })
            },
            perCollector("chat_exporter_collector_runs_total", .counter, "Collector runs since the exporter started.") { Double($0.runs) },
            perCollector("chat_exporter_collector_null_values_total", .counter, "Samples skipped because their value was NULL.") { Double($0.nullValuesSkipped) },
            MetricFamily(name: "chat_exporter_collector_errors_total", type: .counter, help: "Failed collector runs, by reason (timeout, query, connection, invalid_value, cardinality).", samples: collectors.flatMap { status in
                CollectorErrorReason.allCases.map { reason in
                    Sample(labels: [Label(name: "collector", value: status.definition.name), Label(name: "reason", value: reason.rawValue)], value: Double(status.errors[reason] ?? 0))
                }
            }),
            MetricFamily(name: "chat_exporter_config_last_reload_successful", type: .gauge, help: "Whether the last configuration reload succeeded (1) or not (0).", samples: [Sample(value: configReloadSuccessful ? 1 : 0)]),
            MetricFamily(name: "chat_exporter_config_last_reload_success_timestamp_seconds", type: .gauge, help: "When the configuration was last loaded successfully, in seconds since the epoch.", samples: [Sample(value: configLastReloadSuccessAt.timeIntervalSince1970)]),
            MetricFamily(name: "chat_exporter_http_responses_total", type: .counter, help: "HTTP responses the exporter sent, by status code (all paths; refused credentials are 401 or 429, an overloaded password check 503).", samples: httpResponses.keys.sorted().map { code in
                Sample(labels: [Label(name: "code", value: String(code))], value: Double(httpResponses[code] ?? 0))
            }),
            MetricFamily(name: "chat_exporter_http_slow_connections_closed_total", type: .counter, help: "HTTP connections closed because they kept sending without completing a request within --web.connection-timeout (headers sent a byte at a time: a broken client, or someone holding connections).", samples: [
                Sample(value: Double(httpSlowConnectionsClosed)),
            ]),
            MetricFamily(name: "chat_exporter_http_connections_refused_total", type: .counter, help: "HTTP connections closed as soon as they were accepted because their client's address already held --web.max-connections-per-ip of them (past --web.max-connections, connections wait in the kernel's queue instead).", samples: [
                Sample(value: Double(httpConnectionsRefused)),
            ]),
        ]
        families += process.families
        return families
    }

    /// Every family to serve, merged by name (one HELP/TYPE each) and in a deterministic order: families by name,
    /// samples by their labels. A series two collectors both produce (the same ``SeriesKey``) is served once, from
    /// the first.
    var allFamilies: [MetricFamily] {
        var byName: [String: MetricFamily] = [:]
        for family in collectors.flatMap(\.servedFamilies) + selfMetricFamilies {
            if var existing = byName[family.name] {
                existing.samples += family.samples
                byName[family.name] = existing
            } else {
                byName[family.name] = family
            }
        }
        return byName.keys.sorted().compactMap { name in
            guard var family = byName[name] else { return nil }
            var seen = Set<SeriesKey>()
            family.samples = family.samples
                .filter { seen.insert($0.seriesKey).inserted }
                .sorted { $0.labels.lexicographicallyPrecedes($1.labels, by: Self.bytewisePrecedes) }
            return family
        }
    }

    /// Label order by name, then value, byte for byte: deterministic even for values that are canonically
    /// equivalent Unicode, which `String`'s `<` holds equal.
    private static func bytewisePrecedes(_ first: Label, _ second: Label) -> Bool {
        if first.name != second.name { return first.name.utf8.lexicographicallyPrecedes(second.name.utf8) }
        return first.value.utf8.lexicographicallyPrecedes(second.value.utf8)
    }
}

