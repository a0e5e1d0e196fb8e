/// The text exposition format, parsed into series → value, as a test reads it.
struct Exposition: Sendable {
    let text: String
    /// `name{a="x",b="y"}` (labels as written) → value.
    let series: [String: Double]

    init(text: String) {
        self.text = text
        var series: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let valueText = line[line.index(after: space)...]
            let value: Double? = switch valueText {
            case "NaN": .nan
            case "+Inf": .infinity
            case "-Inf": -.infinity
            default: Double(valueText)
            }
            series[String(line[..<space])] = value
        }
        self.series = series
    }

    /// The value of a series given by its name and labels in any order; nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for (key, value) in series where Self.matches(key, name: name, labels: labels) {
            return value
        }
        return nil
    }

    /// Every series of a metric.
    func all(_ name: String) -> [String: Double] {
        series.filter { $0.key == name || $0.key.hasPrefix(name + "{") }
    }

    private static func matches(_ key: String, name: String, labels: [String: String]) -> Bool {
        if labels.isEmpty { return key == name }
        guard key.hasPrefix(name + "{"), key.hasSuffix("}") else { return false }
        let inner = key.dropFirst(name.count + 1).dropLast()
        let pairs = splitLabels(String(inner))
        return pairs.count == labels.count && labels.allSatisfy { pairs[$0.key] == $0.value }
    }

    /// Splits `a="x",b="y"` honouring escapes; values are returned unescaped.
    static func splitLabels(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var name = ""
        var value = ""
        var inValue = false
        var escaped = false
        var readingName = true
        for character in text {
            if inValue {
                if escaped {
                    value.append(character == "n" ? "\n" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inValue = false
                    result[name] = value
                    name = ""
                    value = ""
                    readingName = true
                } else {
                    value.append(character)
                }
            } else if character == "\"" {
                inValue = true
            } else if character == "=" {
                readingName = false
            } else if character == "," {
                continue
            } else if readingName {
                name.append(character)
            }
        }
        return result
    }
}
