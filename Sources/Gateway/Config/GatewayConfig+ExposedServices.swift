import Discovery
import Yams

extension GatewayConfig {
    /// Which annotated Services become backends: key `kubernetes.discover`.
    public struct ExposedServices: Sendable, Hashable {
        /// The namespaces searched. Key `kubernetes.discover.namespaces`: `all`, or a list of names.
        public var scope: ExposedServiceScope
        /// A label selector the Services must match, applied by the API server. Key
        /// `kubernetes.discover.selector`, default none.
        public var selector: String?
        /// How the discovered backends' schemas are asked of their pods. Key `kubernetes.discover.reflection`,
        /// as a backend's `reflection` mapping; default the `reflection` defaults.
        public var reflection: Reflection

        /// Creates the setting.
        public init(scope: ExposedServiceScope, selector: String? = nil, reflection: Reflection = .defaults) {
            self.scope = scope
            self.selector = selector
            self.reflection = reflection
        }
    }

    /// The `discover` key of the `kubernetes` section.
    static func exposedServices(_ node: ConfigNode) throws(ConfigError) -> ExposedServices {
        let keys = try node.mapping(allowed: ["namespaces", "selector", "reflection"])
        guard let namespacesNode = keys["namespaces"] else {
            throw node.error("`discover` needs `namespaces`: `all`, or a list of namespaces")
        }
        let scope: ExposedServiceScope
        if namespacesNode.node.scalar != nil {
            guard try namespacesNode.string() == "all" else {
                throw namespacesNode.error("must be `all` or a list of namespaces")
            }
            scope = .all
        } else {
            scope = .namespaces(try namespacesNode.strings())
        }
        var exposed = ExposedServices(scope: scope)
        if let key = keys["selector"] {
            let selector = try key.string()
            exposed.selector = selector.isEmpty ? nil : selector
        }
        if let key = keys["reflection"] {
            guard let reflection = try Self.reflection(key) else { throw key.error("discovered backends need reflection") }
            exposed.reflection = reflection
        }
        return exposed
    }
}
