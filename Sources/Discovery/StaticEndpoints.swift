/// Discovery for backends outside a cluster: a fixed list of endpoints from the config, published once.
public struct StaticEndpoints: Sendable {
    /// The one snapshot this source ever publishes.
    public let snapshot: EndpointSnapshot

    /// Creates a source for `backend` serving at `endpoints`.
    public init(backend: String, endpoints: [DiscoveredEndpoint]) {
        self.snapshot = EndpointSnapshot(backend: backend, endpoints: endpoints)
    }

    /// The snapshots of this source: the fixed one, then nothing more until the consumer stops listening.
    public var updates: AsyncStream<EndpointSnapshot> {
        let snapshot = self.snapshot
        return AsyncStream { continuation in
            continuation.yield(snapshot)
        }
    }
}
