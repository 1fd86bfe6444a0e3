/// Where `KubernetesDiscovery.exposedServices(in:selector:)` looks for exposed Services.
public enum ExposedServiceScope: Hashable, Sendable, CustomStringConvertible {
    /// Every namespace: one cluster-wide Service watch (`/api/v1/services`), which needs `list` and `watch`
    /// of `services` cluster-wide (a ClusterRole).
    case all
    /// These namespaces only: one Service watch per namespace with `KubernetesConfig.watchScope`
    /// `.namespace` (a Role in each will do), or one cluster-wide watch filtered locally with `.cluster`.
    case namespaces([String])

    public var description: String {
        switch self {
        case .all: "all namespaces"
        case .namespaces(let namespaces): "namespaces \(namespaces.joined(separator: ", "))"
        }
    }
}
