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
        let text = try string()
        if let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            !(0...65535).contains(port)
        {
            throw error("port \(port) is out of range: a port is between 0 and 65535")
        }
        guard let address = SocketAddressText(text) else {
            throw error("expected host:port, such as 127.0.0.1:8080 or [::1]:8080")
        }
        return address
    }

    /// A duration written as `30s`, `250ms`, `2m`, `1h`, `1.5s`, compound as Go and Envoy users write them
    /// (`1m30s`, `1h5m`, `2s500ms`), or a plain number of seconds. Never negative.
    func duration() throws(ConfigError) -> Duration {
        let text = try string().trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("-") { throw error("must not be negative") }
        guard let value = Self.parseDuration(text[...]) else {
            throw error("expected a duration such as 30s, 250ms, 1m30s or 2h")
        }
        return value
    }

    /// A duration above zero: a timeout or an interval, where zero would make every call fail or spin.
    func positiveDuration() throws(ConfigError) -> Duration {
        let value = try duration()
        guard value > .zero else { throw error("must be longer than 0s") }
        return value
    }

    /// `text` as a plain number of seconds, or as number-unit pairs (`h`, `m`, `s`, `ms`) in any order.
    static func parseDuration(_ text: Substring) -> Duration? {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        var rest = text
        var milliseconds = 0.0
        while !rest.isEmpty {
            let numberEnd = rest.firstIndex { !($0.isNumber || $0 == ".") } ?? rest.endIndex
            guard numberEnd > rest.startIndex, let value = Double(rest[..<numberEnd]) else { return nil }
            rest = rest[numberEnd...]
            let unitEnd = rest.firstIndex { $0.isNumber || $0 == "." } ?? rest.endIndex
            let scale: Double
            switch rest[..<unitEnd] {
            case "h": scale = 3_600_000
            case "m": scale = 60_000
            case "s": scale = 1000
            case "ms": scale = 1
            default: return nil
            }
            rest = rest[unitEnd...]
            milliseconds += value * scale
        }
        guard milliseconds.isFinite, milliseconds < 1e15 else { return nil }
        return .milliseconds(Int64(milliseconds.rounded()))
    }
}
