/// The endpoints of one Service assembled from its EndpointSlices (or legacy Endpoints) and the Service
/// itself. Pure state: the watches feed it actions, and `snapshot()` builds what the balancer receives.
///
/// Every slice is kept by name and the union rebuilt on each change, so a service with many slices never
/// loses the endpoints of the slices that did not change, and an endpoint that briefly sits in two slices
/// appears once (ready wins over terminating).
struct ServiceEndpointsState: Sendable {
    /// The backend the snapshots are for.
    let backend: String
    /// The port to resolve.
    let port: KubernetesServiceRef.PortRef
    private var groups: [String: Group] = [:]
    private var servicePorts: [Service.Port] = []
    private var settings = BackendSettings()

    /// Creates an empty state.
    init(backend: String, port: KubernetesServiceRef.PortRef) {
        self.backend = backend
        self.port = port
    }

    /// Endpoints sharing one set of ports: a slice, or a subset of a legacy Endpoints object.
    fileprivate struct Group: Sendable {
        var ports: [String: Int]
        var endpoints: [DiscoveredEndpoint]
    }

    /// Applies a change to the Service's EndpointSlices.
    mutating func apply(_ action: WatchAction<EndpointSlice>) {
        switch action {
        case .replace(let slices):
            groups = [:]
            for slice in slices { groups[key(slice.metadata)] = Group(slice) }
        case .upsert(let slice):
            groups[key(slice.metadata)] = Group(slice)
        case .delete(let slice):
            groups[key(slice.metadata)] = nil
        }
    }

    /// Applies a change to the Service's legacy Endpoints object.
    mutating func apply(_ action: WatchAction<Endpoints>) {
        switch action {
        case .replace(let objects):
            groups = [:]
            for object in objects { insert(object) }
        case .upsert(let object):
            groups = [:]
            insert(object)
        case .delete:
            groups = [:]
        }
    }

    /// Applies a change to the Service itself (its port names and annotations).
    mutating func apply(_ action: WatchAction<Service>) {
        let service: Service?
        switch action {
        case .replace(let services): service = services.first
        case .upsert(let updated): service = updated
        case .delete: service = nil
        }
        servicePorts = service?.spec?.ports ?? []
        settings = BackendSettings(annotations: service?.metadata.annotations ?? [:])
    }

    /// The current endpoints: ready ones and serving-but-terminating ones (the snapshot's `serving`
    /// uses the latter only when none is ready), each at the resolved port, without duplicates.
    func snapshot() -> EndpointSnapshot {
        let portName: String?
        switch port {
        case .name(let name): portName = name
        case .number(let number): portName = servicePorts.first { $0.port == number }.map { $0.name ?? "" }
        }
        var endpoints: [DiscoveredEndpoint] = []
        var indices: [DiscoveredEndpoint.Address: Int] = [:]
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let targetPort: Int?
            if let portName {
                targetPort = group.ports[portName]
            } else if case .number(let number) = port {
                targetPort = number
            } else {
                targetPort = nil
            }
            guard let targetPort else { continue }
            for var endpoint in group.endpoints {
                endpoint.port = targetPort
                if let index = indices[endpoint.address] {
                    if endpoint.condition == .ready && endpoints[index].condition != .ready {
                        endpoints[index] = endpoint
                    }
                } else {
                    indices[endpoint.address] = endpoints.count
                    endpoints.append(endpoint)
                }
            }
        }
        return EndpointSnapshot(backend: backend, uniqueEndpoints: endpoints, settings: settings)
    }

    private func key(_ metadata: ObjectMeta) -> String { metadata.name ?? "" }

    private mutating func insert(_ object: Endpoints) {
        for (index, subset) in (object.subsets ?? []).enumerated() {
            groups["\(key(object.metadata))#\(index)"] = Group(subset)
        }
    }
}

extension ServiceEndpointsState.Group {
    init(_ slice: EndpointSlice) {
        ports = Self.ports(slice.ports)
        endpoints = (slice.endpoints ?? []).compactMap { endpoint in
            guard let host = endpoint.addresses.first else { return nil }
            let ready = endpoint.conditions?.ready ?? true
            let serving = endpoint.conditions?.serving ?? true
            let terminating = endpoint.conditions?.terminating ?? false
            let condition: DiscoveredEndpoint.Condition
            if ready {
                condition = .ready
            } else if serving && terminating {
                condition = .terminating
            } else {
                return nil
            }
            return DiscoveredEndpoint(
                host: host, port: 0, condition: condition, podName: endpoint.targetRef?.name,
                node: endpoint.nodeName, zone: endpoint.zone)
        }
    }

    init(_ subset: Endpoints.Subset) {
        ports = Self.ports(subset.ports)
        endpoints = (subset.addresses ?? []).map { address in
            DiscoveredEndpoint(
                host: address.ip, port: 0, condition: .ready, podName: address.targetRef?.name,
                node: address.nodeName)
        }
    }

    private static func ports(_ ports: [EndpointSlice.Port]?) -> [String: Int] {
        var byName: [String: Int] = [:]
        for port in ports ?? [] {
            if let number = port.port { byName[port.name ?? ""] = number }
        }
        return byName
    }
}
