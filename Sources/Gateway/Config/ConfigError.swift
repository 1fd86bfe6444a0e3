/// A configuration that cannot be used, with where the problem is: the file, the key and, where known, the line.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// The config file (or descriptor file) at fault.
    public var file: String
    /// The dotted key at fault, such as `backends[0].endpoints[1]`; empty for the file as a whole.
    public var key: String
    /// The 1-based line of the key's value, when the YAML parser gave one.
    public var line: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error for `key` of `file`.
    public init(file: String, key: String, line: Int? = nil, message: String) {
        self.file = file
        self.key = key
        self.line = line
        self.message = message
    }

    /// Creates an error for `key` at `location` (no file when nil).
    public init(at location: ConfigLocation?, key: String, message: String) {
        self.init(file: location?.file ?? "", key: key, line: location?.line, message: message)
    }

    /// `file:line: key: message`, leaving out what is not known.
    public var description: String {
        var parts: [String] = []
        if !file.isEmpty { parts.append(line.map { "\(file):\($0)" } ?? file) }
        if !key.isEmpty { parts.append(key) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
