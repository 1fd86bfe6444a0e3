/// What one shared watch covers: the objects of one namespace, or those of the whole cluster.
enum WatchedCollection: Hashable, Sendable, CustomStringConvertible {
    /// One namespace's objects.
    case namespace(String)
    /// Every namespace's objects.
    case cluster

    /// The collection's path for a kind, e.g. `/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices`
    /// or, cluster-wide, `/apis/discovery.k8s.io/v1/endpointslices`.
    func path<Object: InformedObject>(of kind: Object.Type) -> String {
        switch self {
        case .namespace(let namespace): "\(Object.apiPrefix)/namespaces/\(namespace)/\(Object.resource)"
        case .cluster: "\(Object.apiPrefix)/\(Object.resource)"
        }
    }

    var description: String {
        switch self {
        case .namespace(let namespace): "namespace \(namespace)"
        case .cluster: "cluster"
        }
    }
}
