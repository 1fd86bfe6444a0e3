import Synchronization

/// One backend's view of the shared watches: receives the changes to its Service's endpoints
/// (EndpointSlices, or Endpoints in legacy mode) and to the Service itself, and publishes a snapshot
/// whenever what the balancer would see changes, once both have been listed.
final class ServiceSubscriber: Sendable {
    fileprivate struct Progress: Sendable {
        var state: ServiceEndpointsState
        var endpointsListed = false
        var serviceListed = false
        var published: EndpointSnapshot?
    }

    private let progress: Mutex<Progress>
    private let publish: @Sendable (EndpointSnapshot) -> Void
    private let onSynced: @Sendable () -> Void

    /// Creates a subscriber; `publish` receives each new snapshot, `onSynced` is called once after the first.
    init(
        backend: String, port: KubernetesServiceRef.PortRef, publish: @escaping @Sendable (EndpointSnapshot) -> Void,
        onSynced: @escaping @Sendable () -> Void
    ) {
        self.progress = Mutex(Progress(state: ServiceEndpointsState(backend: backend, port: port)))
        self.publish = publish
        self.onSynced = onSynced
    }

    /// A change to the Service's EndpointSlices; a `replace` is a complete list of them.
    func receive(_ action: WatchAction<EndpointSlice>) {
        update(listing: action.isList, \.endpointsListed) { $0.apply(action) }
    }

    /// A change to the Service's legacy Endpoints object; a `replace` is a complete list.
    func receive(_ action: WatchAction<Endpoints>) {
        update(listing: action.isList, \.endpointsListed) { $0.apply(action) }
    }

    /// A change to the Service itself; a `replace` is a complete list.
    func receive(_ action: WatchAction<Service>) {
        update(listing: action.isList, \.serviceListed) { $0.apply(action) }
    }

    /// Applies a change and publishes the result. Publishing happens under the lock so that two informers
    /// delivering at once cannot publish out of order (`publish` only yields to an AsyncStream, which never
    /// calls back into this type).
    private func update(
        listing: Bool, _ listed: WritableKeyPath<Progress, Bool>, _ change: (inout ServiceEndpointsState) -> Void
    ) {
        let first = progress.withLock { progress in
            change(&progress.state)
            if listing { progress[keyPath: listed] = true }
            guard progress.endpointsListed && progress.serviceListed else { return false }
            let snapshot = progress.state.snapshot()
            guard snapshot != progress.published else { return false }
            let first = progress.published == nil
            progress.published = snapshot
            publish(snapshot)
            return first
        }
        if first { onSynced() }
    }
}

extension WatchAction {
    /// Whether the action is a complete list.
    fileprivate var isList: Bool {
        if case .replace = self { true } else { false }
    }
}
