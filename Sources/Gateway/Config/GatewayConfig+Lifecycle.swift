extension GatewayConfig {
    /// How the gateway starts taking traffic, drains on SIGTERM or SIGINT, and reloads. Section `lifecycle`.
    public struct Lifecycle: Sendable {
        /// After SIGTERM or SIGINT, how long `/readyz` fails while connections are still accepted, so that load
        /// balancers stop sending before the listener closes. Key `lifecycle.shutdownDelay`, default 5 s.
        public var shutdownDelay: Duration
        /// Once the listener is closed, how long requests in flight get to finish before the remaining
        /// connections are closed. Key `lifecycle.drainTimeout`, default 30 s.
        public var drainTimeout: Duration
        /// Whether `/readyz` also requires at least one backend with at least one endpoint.
        /// Key `lifecycle.readyRequiresEndpoints`, default true.
        public var readyRequiresEndpoints: Bool
        /// How often `portico serve` checks the config file and the descriptor files for changes, which reload
        /// them; 0 turns the check off (SIGHUP still reloads). Key `lifecycle.watchInterval`, default 2 s.
        public var watchInterval: Duration

        /// The defaults named on each property.
        public static var defaults: Lifecycle {
            Lifecycle(
                shutdownDelay: .seconds(5), drainTimeout: .seconds(30), readyRequiresEndpoints: true,
                watchInterval: .seconds(2))
        }
    }

    static func lifecycle(_ node: ConfigNode) throws(ConfigError) -> Lifecycle {
        let keys = try node.mapping(allowed: ["shutdownDelay", "drainTimeout", "readyRequiresEndpoints", "watchInterval"])
        var lifecycle = Lifecycle.defaults
        if let key = keys["shutdownDelay"] { lifecycle.shutdownDelay = try key.duration() }
        if let key = keys["drainTimeout"] { lifecycle.drainTimeout = try key.duration() }
        if let key = keys["readyRequiresEndpoints"] { lifecycle.readyRequiresEndpoints = try key.bool() }
        if let key = keys["watchInterval"] { lifecycle.watchInterval = try key.duration() }
        return lifecycle
    }
}
