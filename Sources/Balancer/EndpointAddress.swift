/// Where a backend pod listens: a host (an IP address or a name) and a TCP port.
public struct EndpointAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IP address or a host name.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an address from a host and a port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
