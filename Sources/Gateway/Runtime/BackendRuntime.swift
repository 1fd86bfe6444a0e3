import Balancer
import Discovery

/// A configured backend as the running gateway sees it: its settings, where its endpoints come from and
/// its shared balancer.
package final class BackendRuntime: Sendable {
    /// The backend's configuration.
    package let config: GatewayConfig.Backend
    /// Picks the pod for each call, shared by every event loop.
    package let balancer: LoadBalancer
    /// The backend's connection and retry series.
    package let metrics: BackendMetrics
    /// How the connections to each pod stand, over every event loop.
    package let connectivity: EndpointConnectivity

    package var name: String { config.name }

    package init(config: GatewayConfig.Backend, metrics: BackendMetrics) {
        self.config = config
        self.metrics = metrics
        self.connectivity = EndpointConnectivity(backend: config.name)
        self.balancer = LoadBalancer(strategy: config.balancer ?? .roundRobin, config: config.balancing.balancer)
        if config.kubernetes == nil {
            balancer.update(endpoints: Self.addresses(of: Self.staticEndpoints(of: config).snapshot))
        }
    }

    /// The snapshots of the backend's endpoints: its static list, or its Service watched through `kubernetes`.
    package func endpointUpdates(kubernetes: KubernetesDiscovery?) -> AsyncStream<EndpointSnapshot> {
        if let service = config.kubernetes, let kubernetes {
            return kubernetes.watch(service, backend: name)
        }
        return Self.staticEndpoints(of: config).updates
    }

    /// Applies a snapshot to the balancer: its endpoints, and the Service's `portico.io/balancer`
    /// annotation unless the config file chose the strategy.
    ///
    /// - Returns: The addresses that should get requests now.
    package func apply(_ snapshot: EndpointSnapshot) -> [EndpointAddress] {
        if config.balancer == nil {
            let annotated = snapshot.settings.balancer.flatMap(BalancingStrategy.init(rawValue:))
            let wanted = annotated ?? .roundRobin
            if balancer.strategy != wanted { balancer.setStrategy(wanted) }
        }
        let addresses = Self.addresses(of: snapshot)
        balancer.update(endpoints: addresses)
        return addresses
    }

    private static func staticEndpoints(of config: GatewayConfig.Backend) -> StaticEndpoints {
        StaticEndpoints(backend: config.name, endpoints: config.endpoints.map { DiscoveredEndpoint(host: $0.host, port: $0.port) })
    }

    private static func addresses(of snapshot: EndpointSnapshot) -> [EndpointAddress] {
        snapshot.serving.map { EndpointAddress(host: $0.host, port: $0.port) }
    }
}
