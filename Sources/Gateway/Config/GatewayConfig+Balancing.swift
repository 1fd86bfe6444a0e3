import Balancer

extension GatewayConfig {
    /// How a backend spreads calls over its pods and keeps its connections to them. Section
    /// `backends[].balancing`; every key is optional.
    public struct Balancing: Sendable, Hashable {
        /// The balancer's latency model, outlier ejection and retry budget:
        /// - `ewma.decay` (default 10 s), `ewma.defaultLatency` (10 ms), `ewma.failurePenalty` (1 s);
        /// - `ejection.consecutiveFailures` (5, 0 turns ejection off), `ejection.baseEjectionTime` (30 s),
        ///   `ejection.maxEjectionTime` (300 s), `ejection.maxEjectionPercent` (10);
        /// - `retryBudget.percent` (20: retries in flight up to 20 % of the active calls) and
        ///   `retryBudget.minimum` (3).
        public var balancer: LoadBalancer.Config
        /// Retry calls the backend answered with UNAVAILABLE on another pod (within the retry budget), for
        /// backends whose methods are safe to repeat (JSON and native gRPC calls). Key `retryOn: [unavailable]`, default
        /// off (`[]`).
        public var retryUnavailable: Bool
        /// The most HTTP/2 connections per pod and event loop: another one opens when every open one has
        /// as many streams as the pod's SETTINGS_MAX_CONCURRENT_STREAMS allows. Key
        /// `maxConnectionsPerEndpoint`, default 4.
        public var maxConnectionsPerEndpoint: Int
        /// The interval between keepalive PINGs on an idle-or-busy upstream connection, or nil for none.
        /// Key `keepalive.interval` (`0s` turns keepalive off), default 30 s.
        public var keepaliveInterval: Duration?
        /// How long a keepalive PING may stay unanswered before the connection is closed as dead. Key
        /// `keepalive.timeout`, default 10 s.
        public var keepaliveTimeout: Duration
        /// How long the connections of a pod that left discovery may keep serving their in-flight calls
        /// before they are closed. Key `drainTimeout`, default 30 s.
        public var drainTimeout: Duration

        /// Creates balancing settings; every setting not given takes its documented default.
        public init(
            balancer: LoadBalancer.Config = .defaults, retryUnavailable: Bool = false,
            maxConnectionsPerEndpoint: Int = 4, keepaliveInterval: Duration? = .seconds(30),
            keepaliveTimeout: Duration = .seconds(10), drainTimeout: Duration = .seconds(30)
        ) {
            self.balancer = balancer
            self.retryUnavailable = retryUnavailable
            self.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint
            self.keepaliveInterval = keepaliveInterval
            self.keepaliveTimeout = keepaliveTimeout
            self.drainTimeout = drainTimeout
        }

        /// The defaults named on each property.
        public static var defaults: Balancing { Balancing() }
    }
}

extension GatewayConfig.Balancing {
    /// Reads a `balancing:` section.
    init(_ node: ConfigNode) throws(ConfigError) {
        let keys = try node.mapping(allowed: [
            "ewma", "ejection", "retryBudget", "retryOn", "maxConnectionsPerEndpoint", "keepalive", "drainTimeout",
        ])
        self.init()
        if let section = keys["ewma"] {
            let ewma = try section.mapping(allowed: ["decay", "defaultLatency", "failurePenalty"])
            if let key = ewma["decay"] { balancer.ewma.decay = try key.positiveDuration() }
            if let key = ewma["defaultLatency"] { balancer.ewma.defaultLatency = try key.positiveDuration() }
            if let key = ewma["failurePenalty"] { balancer.ewma.failurePenalty = try key.duration() }
        }
        if let section = keys["ejection"] {
            let ejection = try section.mapping(allowed: [
                "consecutiveFailures", "baseEjectionTime", "maxEjectionTime", "maxEjectionPercent",
            ])
            if let key = ejection["consecutiveFailures"] {
                balancer.ejection.consecutiveFailures = try key.int(in: 0...1_000_000)
            }
            if let key = ejection["baseEjectionTime"] { balancer.ejection.baseTime = try key.positiveDuration() }
            if let key = ejection["maxEjectionTime"] { balancer.ejection.maxTime = try key.positiveDuration() }
            if let key = ejection["maxEjectionPercent"] { balancer.ejection.maxPercent = try key.int(in: 0...100) }
            if balancer.ejection.maxTime < balancer.ejection.baseTime, let key = ejection["maxEjectionTime"] {
                throw key.error("must not be shorter than baseEjectionTime")
            }
        }
        if let section = keys["retryBudget"] {
            let budget = try section.mapping(allowed: ["percent", "minimum"])
            if let key = budget["percent"] { balancer.retryBudget.ratio = Double(try key.int(in: 0...100)) / 100 }
            if let key = budget["minimum"] { balancer.retryBudget.minimumConcurrentRetries = try key.int(in: 0...10_000) }
        }
        if let key = keys["retryOn"] {
            for item in try key.sequence() {
                guard try item.string() == "unavailable" else { throw item.error("unknown retry condition (known: unavailable)") }
                retryUnavailable = true
            }
        }
        if let key = keys["maxConnectionsPerEndpoint"] { maxConnectionsPerEndpoint = try key.int(in: 1...64) }
        if let section = keys["keepalive"] {
            let keepalive = try section.mapping(allowed: ["interval", "timeout"])
            if let key = keepalive["interval"] {
                let interval = try key.duration()
                keepaliveInterval = interval == .zero ? nil : interval
            }
            if let key = keepalive["timeout"] { keepaliveTimeout = try key.positiveDuration() }
        }
        if let key = keys["drainTimeout"] { drainTimeout = try key.duration() }
    }
}
