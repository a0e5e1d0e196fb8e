/// Finds the word someone probably meant when they misspelt a key, a setting or a metric type.
enum KeySuggestion {
    /// The candidate closest to `word`, if it is close enough to be a plausible typo: a difference in
    /// letter case only, or an edit distance (insertions, deletions, substitutions and swaps of adjacent
    /// characters) of at most a third of the candidate's length, and at least 1.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        if let sameLetters = candidates.first(where: { $0.lowercased() == lowered }) { return sameLetters }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            let allowed = max(1, candidate.count / 3)
            guard distance <= allowed else { continue }
            if let current = best, current.distance <= distance { continue }
            best = (candidate, distance)
        }
        return best?.candidate
    }

    /// The optimal-string-alignment distance between `a` and `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }

    /// ` (did you mean "x"?)` when a candidate is close to `word`, otherwise the empty string.
    static func hint(for word: String, among candidates: [String]) -> String {
        guard let suggestion = closest(to: word, among: candidates) else { return "" }
        return " (did you mean \"\(suggestion)\"?)"
    }
}
