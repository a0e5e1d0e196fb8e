/// One media range of an HTTP `Accept` header (RFC 9110 §12.5.1): `type/subtype;param=value;q=0.5`.
///
/// Types, subtypes and parameter names are compared case-insensitively, so they are stored
/// lower-cased. The `q` parameter is taken out of the parameters and kept as ``quality``.
struct MediaRange: Sendable, Hashable {
    let type: String
    let subtype: String
    /// The parameters other than `q`, names lower-cased, values unquoted.
    let parameters: [String: String]
    /// The weight, `0...1`; 1 when the range carries no `q` parameter.
    let quality: Double

    /// Parses a whole `Accept` header. Malformed ranges are left out; a malformed header yields
    /// no ranges at all rather than an error.
    static func parseList(_ header: String) -> [MediaRange] {
        HeaderLexer.split(header[...], on: ",").compactMap { parse($0) }
    }

    /// Parses one media range; `nil` when it is malformed.
    static func parse(_ text: Substring) -> MediaRange? {
        let parts = HeaderLexer.split(text, on: ";")
        guard let first = parts.first else { return nil }
        let fullType = HeaderLexer.trimmed(first).lowercased()
        let type: String
        let subtype: String
        if fullType == "*" {
            // Some clients (Java's URLConnection) send a bare `*`; read it as `*/*`.
            (type, subtype) = ("*", "*")
        } else {
            let pieces = fullType.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count == 2,
                  HeaderLexer.isToken(pieces[0]), HeaderLexer.isToken(pieces[1]),
                  !(pieces[0] == "*" && pieces[1] != "*")
            else { return nil }
            (type, subtype) = (String(pieces[0]), String(pieces[1]))
        }
        var parameters: [String: String] = [:]
        var quality = 1.0
        for part in parts.dropFirst() {
            let parameter = HeaderLexer.trimmed(part)
            if parameter.isEmpty { continue }
            guard let (name, value) = HeaderLexer.parameter(parameter) else { return nil }
            if name == "q" {
                guard let weight = HeaderLexer.quality(value) else { return nil }
                quality = weight
            } else {
                parameters[name] = value
            }
        }
        return MediaRange(type: type, subtype: subtype, parameters: parameters, quality: quality)
    }
}
