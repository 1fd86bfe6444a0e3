import Balancer
import Discovery

/// A configured backend as the running gateway sees it: its settings, where its endpoints come from and
/// its shared balancer.
package final class BackendRuntime: Sendable {
    /// The backend's configuration.
    package let config: GatewayConfig.Backend
    /// Picks the pod for each call, shared by every event loop.
    package let balancer: LoadBalancer
    /// Where the backend's endpoints come from.
    package let discovery: StaticEndpoints

    package var name: String { config.name }

    package init(config: GatewayConfig.Backend) {
        self.config = config
        self.balancer = LoadBalancer(strategy: config.balancer, config: config.balancing.balancer)
        self.discovery = StaticEndpoints(
            backend: config.name, endpoints: config.endpoints.map { DiscoveredEndpoint(host: $0.host, port: $0.port) })
        balancer.update(endpoints: Self.addresses(of: discovery.snapshot))
    }

    /// The addresses a snapshot says should get requests.
    package static func addresses(of snapshot: EndpointSnapshot) -> [EndpointAddress] {
        snapshot.serving.map { EndpointAddress(host: $0.host, port: $0.port) }
    }
}
