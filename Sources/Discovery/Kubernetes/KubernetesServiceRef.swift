/// The Kubernetes Service a backend's endpoints come from.
public struct KubernetesServiceRef: Hashable, Sendable, CustomStringConvertible {
    /// Which port of the Service the gateway talks to.
    public enum PortRef: Hashable, Sendable, CustomStringConvertible {
        /// A Service port by name (`grpc`); the pods' port is the EndpointSlice port of that name.
        case name(String)
        /// A Service port by number: mapped through the Service to its port name, then to the pods' port.
        /// A number that is not a Service port is taken as the pods' port itself.
        case number(Int)

        public var description: String {
            switch self {
            case .name(let name): name
            case .number(let number): String(number)
            }
        }
    }

    /// The Service's name.
    public var service: String
    /// The Service's namespace; nil means the gateway's own (in-cluster) or the kubeconfig context's.
    public var namespace: String?
    /// The port to reach.
    public var port: PortRef

    /// Creates a reference.
    public init(service: String, namespace: String? = nil, port: PortRef) {
        self.service = service
        self.namespace = namespace
        self.port = port
    }

    public var description: String { "\(namespace ?? "(default)")/\(service):\(port)" }
}
