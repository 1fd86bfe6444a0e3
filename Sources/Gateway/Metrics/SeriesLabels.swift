/// Label pairs rendered once, as they appear between the braces of a Prometheus sample line.
enum SeriesLabels {
    /// `name="value",…` with each value escaped as the text format asks (backslash, quote, newline).
    static func render(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { pair in
            var escaped = ""
            for character in pair.value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return "\(pair.name)=\"\(escaped)\""
        }.joined(separator: ",")
    }
}
