/// Every endpoint of one backend at one moment: discovery publishes a new snapshot on each change, and
/// a snapshot is never changed after that.
public struct EndpointSnapshot: Hashable, Sendable {
    /// The backend the endpoints serve.
    public var backend: String
    /// The endpoints, without duplicates.
    public var endpoints: [DiscoveredEndpoint]
    /// Settings for the backend read from its source (a Kubernetes Service's annotations).
    public var settings: BackendSettings

    /// Creates a snapshot; duplicate endpoints (same host and port) are dropped, the first one kept.
    public init(backend: String, endpoints: [DiscoveredEndpoint], settings: BackendSettings = BackendSettings()) {
        self.backend = backend
        var seen = Set<DiscoveredEndpoint.Address>()
        self.endpoints = endpoints.filter { seen.insert($0.address).inserted }
        self.settings = settings
    }

    /// Creates a snapshot of endpoints known to hold no duplicates.
    init(backend: String, uniqueEndpoints: [DiscoveredEndpoint], settings: BackendSettings) {
        self.backend = backend
        self.endpoints = uniqueEndpoints
        self.settings = settings
    }

    /// The endpoints that should get requests: the ready ones, or, when none is ready, the terminating
    /// ones that still serve.
    public var serving: [DiscoveredEndpoint] {
        let ready = endpoints.filter { $0.condition == .ready }
        return ready.isEmpty ? endpoints.filter { $0.condition == .terminating } : ready
    }
}
