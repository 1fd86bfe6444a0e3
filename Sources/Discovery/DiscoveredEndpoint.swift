/// One pod (or static address) serving a backend, as discovery knows it.
public struct DiscoveredEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// Whether the endpoint should get requests.
    public enum Condition: Hashable, Sendable {
        /// Ready: gets requests.
        case ready
        /// Still serving but shutting down: gets requests only when no endpoint is ready.
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

    /// Creates an endpoint.
    public init(host: String, port: Int, condition: Condition = .ready, podName: String? = nil) {
        self.host = host
        self.port = port
        self.condition = condition
        self.podName = podName
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
