import Logging
import Synchronization

/// Runs the shared watches of one object kind: one `ResourceWatch` per watched collection (a namespace, or
/// the cluster), however many subscribers it has, started with the first subscriber and cancelled after
/// the last. The decisions are `InformerState`'s; this type runs the watch tasks and calls the subscribers.
final class SharedInformer<Object: InformedObject>: Sendable {
    /// Receives the changes of a subscriber's selection, one at a time and in order.
    typealias Sink = @Sendable (WatchAction<Object>) -> Void

    private struct Core: Sendable {
        var state = InformerState<Object>()
        var sinks: [InformerState<Object>.SubscriberID: Sink] = [:]
        var watches: [WatchedCollection: Task<Void, Never>] = [:]
    }

    private let core = Mutex(Core())
    private let client: KubernetesClient
    private let config: KubernetesConfig
    private let logger: Logger

    /// Creates an informer; nothing is requested before the first subscription.
    init(client: KubernetesClient, config: KubernetesConfig, logger: Logger) {
        self.client = client
        self.config = config
        self.logger = logger
    }

    /// Subscribes to a selection of a collection's objects, starting the collection's watch if it has
    /// none. When the collection is already listed, `sink` receives the cached objects before this returns.
    /// - Returns: the id to unsubscribe with.
    func subscribe(
        to collection: WatchedCollection, selecting selection: InformerSelection,
        sink: @escaping Sink
    ) -> InformerState<Object>.SubscriberID {
        core.withLock { core in
            let (id, next) = core.state.subscribe(to: collection, selecting: selection)
            core.sinks[id] = sink
            switch next {
            case .startWatch(let collection, let generation):
                core.watches[collection] = startWatch(collection, generation: generation)
            case .deliver(let action):
                sink(action)
            case .awaitList:
                break
            }
            return id
        }
    }

    /// Ends a subscription; the collection's watch stops when it was the last.
    func unsubscribe(_ id: InformerState<Object>.SubscriberID) {
        core.withLock { core in
            core.sinks[id] = nil
            if case .stopWatch(let collection) = core.state.unsubscribe(id) {
                core.watches.removeValue(forKey: collection)?.cancel()
            }
        }
    }

    private func startWatch(_ collection: WatchedCollection, generation: Int) -> Task<Void, Never> {
        var logger = logger
        logger[metadataKey: "collection"] = "\(collection)"
        let watch = ResourceWatch<Object>(
            path: collection.path(of: Object.self), selectors: collection.selectors(of: Object.self), client: client,
            config: config, logger: logger)
        return Task {
            await watch.run { action in self.receive(action, from: collection, generation: generation) }
        }
    }

    /// Hands a change to the subscribers it concerns. They are called under the lock, so that changes
    /// reach each of them in the order of the stream and never race a new subscriber's first delivery
    /// (a sink only updates its own state and yields to an AsyncStream; it never calls back in here).
    private func receive(_ action: WatchAction<Object>, from collection: WatchedCollection, generation: Int) {
        core.withLock { core in
            for delivery in core.state.receive(action, from: collection, generation: generation) {
                core.sinks[delivery.subscriber]?(delivery.action)
            }
        }
    }
}
