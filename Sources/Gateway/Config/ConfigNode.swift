import Foundation
import Yams

/// A YAML node together with its dotted key and file, so that every error can say where it is.
struct ConfigNode {
    let node: Node
    let key: String
    let file: String

    var line: Int? { node.mark?.line }

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, key: key, line: line, message: message)
    }

    /// The mapping's values by key; fails on a non-mapping and on keys outside `allowed`.
    func mapping(allowed: Set<String>) throws(ConfigError) -> [String: ConfigNode] {
        guard let mapping = node.mapping else { throw error("expected a mapping") }
        var result: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { throw error("keys must be strings") }
            let child = ConfigNode(node: value, key: key.isEmpty ? name : "\(key).\(name)", file: file)
            guard allowed.contains(name) else {
                throw ConfigError(
                    file: file, key: child.key, line: keyNode.mark?.line,
                    message: "unknown key (known here: \(allowed.sorted().joined(separator: ", ")))")
            }
            result[name] = child
        }
        return result
    }

    func sequence() throws(ConfigError) -> [ConfigNode] {
        guard let sequence = node.sequence else { throw error("expected a list") }
        return sequence.enumerated().map { ConfigNode(node: $1, key: "\(key)[\($0)]", file: file) }
    }

    func string() throws(ConfigError) -> String {
        guard let scalar = node.scalar else { throw error("expected a string") }
        return scalar.string
    }

    func strings() throws(ConfigError) -> [String] {
        var result: [String] = []
        for item in try sequence() { result.append(try item.string()) }
        return result
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = node.int else { throw error("expected a whole number") }
        guard range.contains(value) else { throw error("must be between \(range.lowerBound) and \(range.upperBound)") }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false") }
        return value
    }

    func address() throws(ConfigError) -> SocketAddressText {
        guard let address = SocketAddressText(try string()) else { throw error("expected host:port") }
        return address
    }

    /// A duration written as `30s`, `250ms`, `2m`, `1h`, `1.5s` or a plain number of seconds.
    func duration() throws(ConfigError) -> Duration {
        let text = try string().trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 {
                return .milliseconds(Int64((value * seconds * 1000).rounded()))
            }
        }
        if let value = Double(text), value >= 0 { return .milliseconds(Int64((value * 1000).rounded())) }
        throw error("expected a duration such as 30s, 250ms or 2m")
    }
}
