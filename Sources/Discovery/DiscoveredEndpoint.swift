/// One pod (or static address) serving a backend, as discovery knows it.
public struct DiscoveredEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// Whether the endpoint should get requests.
    public enum Condition: Hashable, Sendable {
        /// Ready: gets requests.
        case ready
        /// Still serving but shutting down: gets requests only when no endpoint is ready; requests already
        /// running on it finish.
        case terminating
    }

    /// An IP address or host name.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// Whether it takes requests.
    public var condition: Condition
    /// The pod's name, when it is a pod.
    public var podName: String?
    /// The node the pod runs on, when known.
    public var node: String?
    /// The zone the pod runs in, when known.
    public var zone: String?

    /// Creates an endpoint.
    public init(
        host: String, port: Int, condition: Condition = .ready, podName: String? = nil, node: String? = nil,
        zone: String? = nil
    ) {
        self.host = host
        self.port = port
        self.condition = condition
        self.podName = podName
        self.node = node
        self.zone = zone
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Host and port: what makes two endpoints the same.
    var address: Address { Address(host: host, port: port) }

    /// Host and port.
    struct Address: Hashable, Sendable {
        /// An IP address or host name.
        var host: String
        /// The TCP port.
        var port: Int
    }
}
