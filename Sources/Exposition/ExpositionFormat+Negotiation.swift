extension ExpositionFormat {
    /// Chooses the format of a response from the request's `Accept` header.
    ///
    /// The header is read as a list of media ranges with parameters and `q` weights; types and
    /// parameter names are case-insensitive. OpenMetrics is chosen only when
    /// `application/openmetrics-text` is named explicitly (wildcards do not select it), with no
    /// `version` parameter or with version `1.0.0` or `0.0.1` (each weighed on its own), with a weight above 0 that is at
    /// least the weight the header gives the text format (`text/plain`, `text/*` or `*/*`, the most
    /// specific matching range deciding, as RFC 9110 prescribes). Everything else, including a
    /// missing, empty or malformed header, gets the Prometheus text format 0.0.4.
    ///
    /// Prometheus 2.42 sends
    /// `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1`
    /// and gets OpenMetrics.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        negotiateResponse(accept: accept).format
    }

    /// The format of a response and its `Content-Type`. OpenMetrics is weighed per version: a version the header
    /// names has the weight given to it (`version=1.0.0;q=0` refuses 1.0.0 even beside an unversioned range), an
    /// unnamed one the weight of an unversioned range. When 0.0.1 weighs more than 1.0.0 the answer says
    /// `version=0.0.1`, as client_golang does: the two versions' text is the same for what chat-exporter serves.
    public static func negotiateResponse(accept: String?) -> (format: ExpositionFormat, contentType: String) {
        let text = (ExpositionFormat.prometheusText, ExpositionFormat.prometheusText.contentType)
        guard let accept, !accept.isEmpty else { return text }
        let ranges = MediaRange.parseList(accept)
        let current = quality(in: ranges) { openMetricsSpecificity($0, version: "1.0.0") }
        let legacy = quality(in: ranges) { openMetricsSpecificity($0, version: "0.0.1") }
        let openMetrics = max(current, legacy)
        guard openMetrics > 0, openMetrics >= quality(in: ranges, specificity: textSpecificity) else { return text }
        return current >= legacy
            ? (.openMetrics, ExpositionFormat.openMetrics.contentType)
            : (.openMetrics, "application/openmetrics-text; version=0.0.1; charset=utf-8")
    }

    /// The weight the most specific matching ranges give a format: the highest `q` among the
    /// ranges of the highest specificity; 0 when no range matches.
    private static func quality(in ranges: [MediaRange], specificity: (MediaRange) -> Int?) -> Double {
        var best: (specificity: Int, quality: Double)?
        for range in ranges {
            guard let rank = specificity(range) else { continue }
            if let current = best, current.specificity > rank { continue }
            if let current = best, current.specificity == rank {
                best = (rank, max(current.quality, range.quality))
            } else {
                best = (rank, range.quality)
            }
        }
        return best?.quality ?? 0
    }

    /// How specifically a range names OpenMetrics in `version`; `nil` when it does not accept that version.
    private static func openMetricsSpecificity(_ range: MediaRange, version: String) -> Int? {
        guard range.type == "application", range.subtype == "openmetrics-text" else { return nil }
        switch range.parameters["version"] {
        case nil: return 2
        case version: return 3
        default: return nil
        }
    }

    /// How specifically a range names the text format 0.0.4; `nil` when it does not accept it.
    private static func textSpecificity(_ range: MediaRange) -> Int? {
        switch (range.type, range.subtype) {
        case ("*", "*"): return 0
        case ("text", "*"): return 1
        case ("text", "plain"):
            switch range.parameters["version"] {
            case nil: return 2
            case "0.0.4": return 3
            default: return nil
            }
        default: return nil
        }
    }
}
