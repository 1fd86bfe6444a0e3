import Yams

extension GatewayConfig {
    /// How a backend's schema is asked of its pods over gRPC server reflection. Key `reflection` of a backend:
    /// `true` for the defaults, or a mapping of the keys below.
    public struct Reflection: Sendable, Hashable {
        /// How often a pod is asked again although no pod changed (a new version may have rolled out behind
        /// the same pods). Key `reflection.refreshInterval`, default 60 s.
        public var refreshInterval: Duration
        /// The bound on one exchange with a pod, connecting included; a pod that takes longer fails and the
        /// last good schema stays. Key `reflection.timeout`, default 10 s.
        public var timeout: Duration
        /// The largest reflection answer accepted, in bytes. Key `reflection.maxMessageBytes`, default 16 MiB.
        public var maxMessageBytes: Int

        /// Creates settings; the defaults are named on each property.
        public init(refreshInterval: Duration, timeout: Duration, maxMessageBytes: Int) {
            self.refreshInterval = refreshInterval
            self.timeout = timeout
            self.maxMessageBytes = maxMessageBytes
        }

        /// The defaults named on each property.
        public static var defaults: Reflection {
            Reflection(refreshInterval: .seconds(60), timeout: .seconds(10), maxMessageBytes: 16 << 20)
        }
    }

    /// A backend's `reflection` key: `true`, `false`, or a mapping of `refreshInterval`, `timeout` and
    /// `maxMessageBytes`.
    static func reflection(_ node: ConfigNode) throws(ConfigError) -> Reflection? {
        if node.node.mapping == nil {
            return try node.bool() ? .defaults : nil
        }
        let keys = try node.mapping(allowed: ["refreshInterval", "timeout", "maxMessageBytes"])
        var reflection = Reflection.defaults
        if let key = keys["refreshInterval"] { reflection.refreshInterval = try key.positiveDuration() }
        if let key = keys["timeout"] { reflection.timeout = try key.positiveDuration() }
        if let key = keys["maxMessageBytes"] { reflection.maxMessageBytes = try key.int(in: 1024...(1 << 30)) }
        return reflection
    }
}
