/// Every endpoint of one backend at one moment: discovery publishes a new snapshot on each change, and
/// a snapshot is never changed after that.
public struct EndpointSnapshot: Hashable, Sendable {
    /// The backend the endpoints serve.
    public var backend: String
    /// The endpoints, without duplicates.
    public var endpoints: [DiscoveredEndpoint]

    /// Creates a snapshot; duplicate endpoints (same host and port) are dropped, the first one kept.
    public init(backend: String, endpoints: [DiscoveredEndpoint]) {
        self.backend = backend
        var seen = Set<String>()
        self.endpoints = endpoints.filter { seen.insert($0.description).inserted }
    }

    /// The endpoints that should get requests: the ready ones, or, when none is ready, the terminating
    /// ones that still serve.
    public var serving: [DiscoveredEndpoint] {
        let ready = endpoints.filter { $0.condition == .ready }
        return ready.isEmpty ? endpoints.filter { $0.condition == .terminating } : ready
    }
}
