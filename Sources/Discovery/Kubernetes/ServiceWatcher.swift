import Logging
import Synchronization

/// Watches one Service and its endpoints (EndpointSlices, or Endpoints in legacy mode) and publishes a
/// snapshot whenever what the balancer would see changes, once both have been listed.
final class ServiceWatcher: Sendable {
    fileprivate struct Progress: Sendable {
        var state: ServiceEndpointsState
        var endpointsListed = false
        var serviceListed = false
        var published: EndpointSnapshot?
    }

    private let progress: Mutex<Progress>
    private let publish: @Sendable (EndpointSnapshot) -> Void
    private let onSynced: @Sendable () -> Void

    /// Creates a watcher; `publish` receives each new snapshot, `onSynced` is called once after the first.
    init(
        backend: String, port: KubernetesServiceRef.PortRef, publish: @escaping @Sendable (EndpointSnapshot) -> Void,
        onSynced: @escaping @Sendable () -> Void
    ) {
        self.progress = Mutex(Progress(state: ServiceEndpointsState(backend: backend, port: port)))
        self.publish = publish
        self.onSynced = onSynced
    }

    /// Runs both watches until the task is cancelled.
    func run(
        service: String, namespace: String, client: KubernetesClient, config: KubernetesConfig, logger: Logger
    ) async {
        var logger = logger
        logger[metadataKey: "service"] = "\(namespace)/\(service)"
        let serviceWatch = ResourceWatch<Service>(
            path: "/api/v1/namespaces/\(namespace)/services", selector: ("fieldSelector", "metadata.name=\(service)"),
            client: client, config: config, logger: logger)
        await withDiscardingTaskGroup { group in
            group.addTask {
                await serviceWatch.run { action in self.update { $0.apply(action, listed: \.serviceListed) } }
            }
            if config.legacyEndpoints {
                let watch = ResourceWatch<Endpoints>(
                    path: "/api/v1/namespaces/\(namespace)/endpoints",
                    selector: ("fieldSelector", "metadata.name=\(service)"), client: client, config: config,
                    logger: logger)
                group.addTask {
                    await watch.run { action in self.update { $0.apply(action, listed: \.endpointsListed) } }
                }
            } else {
                let watch = ResourceWatch<EndpointSlice>(
                    path: "/apis/discovery.k8s.io/v1/namespaces/\(namespace)/endpointslices",
                    selector: ("labelSelector", "kubernetes.io/service-name=\(service)"), client: client,
                    config: config, logger: logger)
                group.addTask {
                    await watch.run { action in self.update { $0.apply(action, listed: \.endpointsListed) } }
                }
            }
        }
    }

    /// Applies a change and publishes the result. Publishing happens under the lock so that two watches
    /// updating at once cannot publish out of order (`publish` only yields to an AsyncStream, which never
    /// calls back into this type).
    private func update(_ change: (inout Progress) -> Void) {
        let first = progress.withLock { progress in
            change(&progress)
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

extension ServiceWatcher.Progress {
    fileprivate mutating func apply<Object>(
        _ action: WatchAction<Object>, listed: WritableKeyPath<Self, Bool>
    ) where Object: KubernetesObject {
        switch action {
        case let action as WatchAction<EndpointSlice>: state.apply(action)
        case let action as WatchAction<Endpoints>: state.apply(action)
        case let action as WatchAction<Service>: state.apply(action)
        default: return
        }
        if case .replace = action { self[keyPath: listed] = true }
    }
}
