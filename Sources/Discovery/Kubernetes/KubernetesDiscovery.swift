import Logging

/// Discovery from the Kubernetes API: one client, shared by every backend, that follows each backend's
/// Service and publishes its endpoints as immutable snapshots.
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
    private let logger: Logger
    private let sync = SyncTracker()

    /// Loads credentials (a kubeconfig when the config names one, else the pod's service account) and
    /// starts the client; nothing is requested until `watch` is called.
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
        self.client = KubernetesClient(credentials: credentials, config: config, loop: loop)
        self.config = config
        self.defaultNamespace = credentials.namespace
        self.server = credentials.server
        self.logger = logger ?? Logger(label: "portico.discovery", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Follows one Service: lists and watches its EndpointSlices (or Endpoints in legacy mode) and the
    /// Service itself, and yields a snapshot after the first complete sync and after every change that
    /// alters the endpoints or the settings. Errors never empty the snapshot: the last one stays in force
    /// while the watches reconnect. Only the newest snapshot is buffered for a slow consumer.
    /// Watching stops when the consumer stops iterating or drops the stream.
    /// - Parameters:
    ///   - service: the Service, its namespace and port.
    ///   - backend: the backend name the snapshots carry.
    /// - Returns: the snapshots, endlessly.
    public func watch(_ service: KubernetesServiceRef, backend: String) -> AsyncStream<EndpointSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: EndpointSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let id = sync.register()
        let watcher = ServiceWatcher(
            backend: backend, port: service.port, publish: { continuation.yield($0) },
            onSynced: { [sync] in sync.settle(id) })
        let namespace = service.namespace ?? defaultNamespace
        let (client, config, logger) = (client, config, logger)
        let task = Task {
            await watcher.run(
                service: service.service, namespace: namespace, client: client, config: config, logger: logger)
        }
        continuation.onTermination = { [sync] _ in
            task.cancel()
            sync.settle(id)
        }
        return stream
    }

    /// Whether every watched Service has completed its first list of endpoints and Service (for `/readyz`).
    public var isSynced: Bool { sync.isSynced }

    /// What the watches have done so far: lists, relists, restarts, events, last contact.
    public var statistics: KubernetesDiscoveryStatistics { client.statistics.current }

    /// Whether the linked libcurl can speak HTTP/2 to the API server.
    public static var supportsHTTP2: Bool { CurlMultiLoop.supportsHTTP2 }
}
