extension KubernetesConfig {
    /// What each shared watch covers. Discovery opens one EndpointSlice (or Endpoints) watch and one
    /// Service watch per scope, however many backends it serves, and routes each change to the backends of
    /// its Service locally.
    ///
    /// A struct with static values rather than an enum, so that a scope added later breaks no `switch`.
    public struct WatchScope: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case namespace
            case cluster
        }

        private let value: Value

        /// One pair of watches per namespace that has backends, each opened with the namespace's first
        /// backend and closed after its last. Needs `list` and `watch` in those namespaces only (a Role
        /// per namespace will do).
        public static let namespace = WatchScope(value: .namespace)
        /// One pair of watches for the whole cluster, filtered locally: two watches whatever the number of
        /// namespaces. Needs `list` and `watch` cluster-wide (a ClusterRole), and receives every Service
        /// and EndpointSlice change of the cluster, those of namespaces without backends included.
        public static let cluster = WatchScope(value: .cluster)

        /// The scope a config file names (`namespace` or `cluster`); nil for any other name.
        public init?(_ name: String) {
            switch name {
            case "namespace": self = .namespace
            case "cluster": self = .cluster
            default: return nil
            }
        }

        private init(value: Value) { self.value = value }

        public var description: String {
            switch value {
            case .namespace: "namespace"
            case .cluster: "cluster"
            }
        }

        /// The collection the backends of a namespace share in this scope.
        func collection(for namespace: String) -> WatchedCollection {
            switch value {
            case .namespace: .namespace(namespace)
            case .cluster: .cluster
            }
        }
    }
}
