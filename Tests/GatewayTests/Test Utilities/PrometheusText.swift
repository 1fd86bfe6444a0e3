import Foundation

/// A `/metrics` scrape, parsed: one sample per line, by name and labels.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]
    /// The sample names that `# TYPE` lines declare (a histogram's `_bucket`, `_sum` and `_count`), whether or
    /// not a sample of them is there yet.
    let declaredNames: Set<String>
    let text: String

    init(_ text: String) {
        self.text = text
        var samples: [Sample] = []
        var declared: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let words = line.split(separator: " ")
            guard words.count == 4 else { continue }
            let name = String(words[2])
            declared.formUnion(words[3] == "histogram" ? [name + "_bucket", name + "_sum", name + "_count"] : [name])
        }
        self.declaredNames = declared
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            var name = String(series)
            if let brace = series.firstIndex(of: "{") {
                name = String(series[..<brace])
                let body = series[series.index(after: brace)..<(series.lastIndex(of: "}") ?? series.endIndex)]
                // Label values here never hold `",`, so splitting on it is enough.
                for pair in body.split(separator: "\",") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    labels[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
                        .trimmingCharacters(in: ["\""])
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        self.samples = samples
    }

    /// The samples of `name` whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The value of the one sample of `name` with labels including `labels`; nil when there is none or several.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let found = samples(name, labels)
        return found.count == 1 ? found[0].value : nil
    }
}
