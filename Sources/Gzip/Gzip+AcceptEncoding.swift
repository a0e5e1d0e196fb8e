extension Gzip {
    /// Whether a request's `Accept-Encoding` header allows a gzip-compressed response.
    ///
    /// True when the header lists `gzip` (or its alias `x-gzip`) with a weight above 0, or, when
    /// it names neither, lists `*` with a weight above 0. Codings are case-insensitive; a missing
    /// `q` means 1; `gzip;q=0` refuses gzip even when `*` is accepted. Malformed entries are ignored.
    public static func acceptsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var gzipQuality: Double?
        var wildcardQuality: Double?
        for element in acceptEncoding.split(separator: ",") {
            guard let (coding, quality) = parseCoding(element) else { continue }
            switch coding {
            case "gzip", "x-gzip": gzipQuality = max(gzipQuality ?? 0, quality)
            case "*": wildcardQuality = max(wildcardQuality ?? 0, quality)
            default: continue
            }
        }
        return (gzipQuality ?? wildcardQuality ?? 0) > 0
    }

    /// Parses `coding;q=0.5` into the lower-cased coding and its weight; `nil` when malformed.
    private static func parseCoding(_ element: Substring) -> (coding: String, quality: Double)? {
        let parts = element.split(separator: ";", omittingEmptySubsequences: false)
        guard let first = parts.first else { return nil }
        let coding = trimmed(first).lowercased()
        guard !coding.isEmpty else { return nil }
        var quality = 1.0
        for part in parts.dropFirst() {
            let parameter = trimmed(part)
            guard let equals = parameter.firstIndex(of: "=") else { return nil }
            guard trimmed(parameter[..<equals]).lowercased() == "q" else { continue }
            let text = trimmed(parameter[parameter.index(after: equals)...])
            guard !text.isEmpty, text.utf8.count <= 16,
                  text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let weight = Double(text), (0...1).contains(weight)
            else { return nil }
            quality = weight
        }
        return (coding, quality)
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
              let last = text.lastIndex(where: { !isBlank($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }
}
