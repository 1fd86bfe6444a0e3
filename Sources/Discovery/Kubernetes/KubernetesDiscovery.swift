import Logging
import Synchronization

/// Discovery from the Kubernetes API: one client, shared by every backend, that follows each backend's
/// Service and publishes its endpoints as immutable snapshots.
///
/// The watches are shared, as client-go's shared informers share them: one EndpointSlice (or Endpoints)
/// watch and one Service watch per namespace that has backends, or one of each for the whole cluster
/// (`KubernetesConfig.watchScope`), whatever the number of backends. Their changes reach the backends of
/// the Service they concern, and a backend that starts watching a namespace already watched gets its
/// endpoints from the cache at once.
///
/// Transfers run over libcurl on one dedicated thread (see `CurlMultiLoop`), never on a NIO event loop;
/// event handling runs in Swift tasks. Over HTTP/2, which libcurl negotiates when the server offers it,
/// every watch shares one connection.
public final class KubernetesDiscovery: Sendable {
    /// The namespace of services that name none.
    public let defaultNamespace: String
    /// The API server's URL.
    public let server: String
    private let client: KubernetesClient
    private let config: KubernetesConfig
    private let sync = SyncTracker()
    private let endpointSlices: SharedInformer<EndpointSlice>
    private let endpoints: SharedInformer<Endpoints>
    private let services: SharedInformer<Service>
    /// How many `exposedServices` feeds watch every Service of the cluster without a selector.
    private let clusterServiceFeeds = Atomic<Int>(0)

    /// Loads credentials (a kubeconfig when the config names one, else the pod's service account) and
    /// starts the client; nothing is requested until `watch` or `exposedServices` is called.
    /// - Parameters:
    ///   - config: where the credentials come from and how watches behave.
    ///   - logger: where watch failures, relists and malformed events are logged; nil logs nothing.
    /// - Throws: `KubernetesError` with code `invalidCredentials` when the credentials cannot be loaded.
    public init(config: KubernetesConfig = .defaults, logger: Logger? = nil) throws(KubernetesError) {
        let credentials = try ClusterCredentials.load(config)
        let loop: CurlMultiLoop
        do {
            loop = try CurlMultiLoop()
        } catch {
            throw KubernetesError(code: .transport, message: error.message, curlCode: error.code)
        }
        let client = KubernetesClient(credentials: credentials, config: config, loop: loop)
        let logger = logger ?? Logger(label: "portico.discovery", factory: { _ in SwiftLogNoOpLogHandler() })
        self.client = client
        self.config = config
        self.defaultNamespace = credentials.namespace
        self.server = credentials.server
        self.endpointSlices = SharedInformer(client: client, config: config, logger: logger)
        self.endpoints = SharedInformer(client: client, config: config, logger: logger)
        self.services = SharedInformer(client: client, config: config, logger: logger)
    }

    /// Follows one Service: subscribes to the shared watches of its EndpointSlices (or Endpoints in legacy
    /// mode) and of Services, and yields a snapshot after the first complete sync and after every change
    /// that alters the endpoints or the settings. Errors never empty the snapshot: the last one stays in
    /// force while the watches reconnect. Only the newest snapshot is buffered for a slow consumer.
    /// Following stops when the consumer stops iterating or drops the stream; a shared watch stops when
    /// no backend follows a Service it covers any more.
    /// - Parameters:
    ///   - service: the Service, its namespace and port.
    ///   - backend: the backend name the snapshots carry.
    /// - Returns: the snapshots, endlessly.
    public func watch(_ service: KubernetesServiceRef, backend: String) -> AsyncStream<EndpointSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: EndpointSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let id = sync.register()
        let subscriber = ServiceSubscriber(
            backend: backend, port: service.port, publish: { continuation.yield($0) },
            onSynced: { [sync] in sync.settle(id) })
        let namespace = service.namespace ?? defaultNamespace
        let collection = config.watchScope.collection(for: namespace)
        let selection = InformerSelection.service(ObjectKey(namespace: namespace, name: service.service))
        let unsubscribeEndpoints: @Sendable () -> Void
        if config.legacyEndpoints {
            let subscription = endpoints.subscribe(to: collection, selecting: selection) {
                subscriber.receive($0)
            }
            unsubscribeEndpoints = { [endpoints] in endpoints.unsubscribe(subscription) }
        } else {
            let subscription = endpointSlices.subscribe(to: collection, selecting: selection) {
                subscriber.receive($0)
            }
            unsubscribeEndpoints = { [endpointSlices] in endpointSlices.unsubscribe(subscription) }
        }
        let serviceSubscription = services.subscribe(to: serviceCollection(for: namespace), selecting: selection) {
            subscriber.receive($0)
        }
        continuation.onTermination = { [sync, services] _ in
            unsubscribeEndpoints()
            services.unsubscribe(serviceSubscription)
            sync.settle(id)
        }
        return stream
    }

    /// Finds the Services that ask to be served: those carrying `portico.io/expose: "true"` (see
    /// `ExposedService`), in the namespaces of `scope` whose labels match `selector`. Yields the complete
    /// set after the first list of every Service watch involved, then after every change that alters the
    /// set or a member's ports or `portico.io/…` annotations; a Service that loses the annotation, stops
    /// matching the selector or is deleted leaves the set. Only the newest set is buffered for a slow
    /// consumer. `isSynced` waits for the first set.
    ///
    /// The Service watches are shared with `watch(_:backend:)`: `.all` is one cluster-wide watch, and while
    /// it is open (without a selector) backends follow their Services in it too; `.namespaces` is one watch
    /// per namespace, or with `KubernetesConfig.watchScope` `.cluster` the cluster-wide watch filtered
    /// locally, shared with the backends of those namespaces. A selector makes a watch of its own, narrowed
    /// by the API server. Errors never empty the set: the last one stays in force while the watches
    /// reconnect (and relist after 410 Gone). An empty namespace list yields the empty set at once.
    /// - Parameters:
    ///   - scope: the namespaces to look in.
    ///   - selector: a Kubernetes label selector (`team=books,tier!=canary`), sent as the `labelSelector`
    ///     of the list and watch; nil or empty for every Service. A selector the API server refuses fails
    ///     the list, which is logged and retried with backoff (and `isSynced` stays false).
    /// - Returns: the sets, ordered by namespace and name, endlessly; following stops when the consumer
    ///   stops iterating or drops the stream.
    public func exposedServices(
        in scope: ExposedServiceScope, selector: String? = nil
    ) -> AsyncStream<[ExposedService]> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: [ExposedService].self, bufferingPolicy: .bufferingNewest(1))
        let collections: Set<WatchedCollection>
        let namespaces: Set<String>?
        switch scope {
        case .all:
            collections = [WatchedCollection.cluster.selecting(selector)]
            namespaces = nil
        case .namespaces(let list):
            collections = Set(list.map { config.watchScope.collection(for: $0).selecting(selector) })
            namespaces = Set(list)
        }
        let id = sync.register()
        let subscriber = ExposedServicesSubscriber(
            collections: collections, namespaces: namespaces, publish: { continuation.yield($0) },
            onSynced: { [sync] in sync.settle(id) })
        let sharesCluster = collections.contains(.cluster)
        if sharesCluster { clusterServiceFeeds.add(1, ordering: .relaxed) }
        let subscriptions = collections.map { collection in
            services.subscribe(to: collection, selecting: .all) { subscriber.receive($0, from: collection) }
        }
        if collections.isEmpty {
            continuation.yield([])
            sync.settle(id)
        }
        continuation.onTermination = { [weak self, sync, services] _ in
            for subscription in subscriptions { services.unsubscribe(subscription) }
            if sharesCluster { self?.clusterServiceFeeds.subtract(1, ordering: .relaxed) }
            sync.settle(id)
        }
        return stream
    }

    /// The Service collection a backend of `namespace` follows its Service in: the watch scope's, or the
    /// cluster's while an `exposedServices` feed watches every Service of the cluster anyway, so that the
    /// backends made from the feed share its watch instead of each namespace opening its own. (Its
    /// EndpointSlices stay in the watch scope's collection: the feed proves no cluster-wide read of them.)
    private func serviceCollection(for namespace: String) -> WatchedCollection {
        clusterServiceFeeds.load(ordering: .relaxed) > 0 ? .cluster : config.watchScope.collection(for: namespace)
    }

    /// Whether every watched Service has completed its first list of endpoints and Service, and every
    /// `exposedServices` feed its first list of Services (for `/readyz`).
    public var isSynced: Bool { sync.isSynced }

    /// What the watches have done so far: lists, relists, restarts, events, watches open, last contact.
    public var statistics: KubernetesDiscoveryStatistics { client.statistics.current }

    /// Whether the linked libcurl can speak HTTP/2 to the API server.
    public static var supportsHTTP2: Bool { CurlMultiLoop.supportsHTTP2 }
}
