import Balancer
import Discovery
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The running gateway: the client listener (HTTP/1.1 and h2c on one port), the admin listener, and
/// one request dispatcher with its upstream pools on each event loop.
///
/// Run it as a `Service` (`run()` serves until graceful shutdown, then drains; or until cancellation), or
/// call `start()`, `drain()` and `stop()` directly, as the tests do. `reload(config:)` swaps the route table
/// and backends while it runs.
public final class GatewayServer: Service, Sendable {
    private let state: GatewayState
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let listener = Mutex<(any Channel)?>(nil)
    private let adminListener = Mutex<(any Channel)?>(nil)
    private let connections = ConnectionTracker()
    /// The task following each backend's endpoints (and refreshing its schema), by backend runtime.
    private let followers = Mutex<[ObjectIdentifier: Follower]>([:])

    /// What follows one backend: the task, and, for a `reflection` backend, where its schema refresher learns
    /// of its pods.
    private struct Follower {
        let backend: BackendRuntime
        let task: Task<Void, Never>
        let podChanges: AsyncStream<[EndpointAddress]>.Continuation?
    }
    private let dispatchers = Mutex<[NIOLoopBound<RequestDispatcher>]>([])
    private let kubernetes = Mutex<KubernetesDiscovery?>(nil)
    /// The task turning exposed Services into backends, while `kubernetes.discover` is set.
    private let exposedServicesFeed = Mutex<Task<Void, Never>?>(nil)
    /// The runtime the event loops were last given.
    private let lastServed = Mutex<GatewayRuntime?>(nil)
    /// Serialises installs, so that two never interleave their swaps.
    private let installing = Mutex(())
    /// Every change of the runtime, one at a time.
    private let updates: RuntimeUpdates

    /// Loads the descriptors of every backend and builds the route table; nothing listens yet.
    ///
    /// - Throws: `ConfigError` when a descriptor file or a route is unusable.
    public init(config: GatewayConfig, logger: Logger) throws(ConfigError) {
        let metrics = GatewayMetrics()
        let state = GatewayState(runtime: try GatewayRuntime(config: config, metrics: metrics), metrics: metrics)
        self.state = state
        self.updates = RuntimeUpdates(state: state, logger: logger)
        metrics.recordReloadSucceeded()
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(
            numberOfThreads: config.eventLoops > 0 ? config.eventLoops : System.coreCount)
    }

    /// The route table new requests are served with, for printing.
    package var routes: RouteTable<RouteTarget> { state.runtime.routes }

    /// The config in force (the latest one that loaded).
    public var config: GatewayConfig { state.runtime.config }

    /// The client connections open now.
    package var openConnections: Int { connections.count }

    /// The backends with their balancers, for inspection.
    package var backends: [BackendRuntime] { state.runtime.backends }

    /// Binds both listeners and opens connections to every backend endpoint.
    ///
    /// - Returns: The addresses actually bound (useful with port 0).
    @discardableResult
    public func start() async throws -> (gateway: SocketAddressText, admin: SocketAddressText) {
        let runtime = state.runtime
        let config = runtime.config
        var dispatchers: [ObjectIdentifier: NIOLoopBound<RequestDispatcher>] = [:]
        let upstreamHTTP2 = HTTP2Configuration(sendBufferHighWaterMark: config.limits.streamBufferBytes)
        for loop in group.makeIterator() {
            let logger = self.logger
            let metrics = state.metrics
            dispatchers[ObjectIdentifier(loop)] = try await loop.submit {
                NIOLoopBound(
                    RequestDispatcher(
                        runtime: runtime, eventLoop: loop, http2: upstreamHTTP2, metrics: metrics, logger: logger),
                    eventLoop: loop)
            }.get()
        }
        let frozen = dispatchers
        self.dispatchers.withLock { $0 = Array(frozen.values) }
        let kubernetes = try kubernetesDiscovery(for: config)
        let limits = config.limits
        let connections = self.connections
        let gatewayBootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: limits.streamBufferBytes / 2, high: limits.streamBufferBytes))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let dispatcher = frozen[ObjectIdentifier(channel.eventLoop)]!.value
                    try Self.configure(channel: channel, dispatcher: dispatcher, limits: limits)
                    connections.track(channel)
                }
            }
        let channel = try await bind(gatewayBootstrap, to: config.listen, key: "listen")
        listener.withLock { $0 = channel }
        let state = self.state
        let adminBootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(state: state))
                }
            }
        let admin: any Channel
        do {
            admin = try await bind(adminBootstrap, to: config.admin, key: "admin")
        } catch {
            try? await channel.close()
            throw error
        }
        adminListener.withLock { $0 = admin }
        // Connections open and endpoints are followed once both listeners are bound, so that a bind failure is
        // the first thing logged.
        for dispatcher in frozen.values {
            try await dispatcher.eventLoop.submit { dispatcher.value.openConnections() }.get()
        }
        lastServed.withLock { $0 = runtime }
        await updates.serveEachRuntime { [self] runtime in serve(runtime) }
        follow(runtime, kubernetes: kubernetes)
        followExposedServices(of: config, kubernetes: kubernetes)
        reportConflicts(of: runtime, after: nil)
        state.enter(.serving)
        let bound = (
            gateway: SocketAddressText(host: config.listen.host, port: channel.localAddress?.port ?? config.listen.port),
            admin: SocketAddressText(host: config.admin.host, port: admin.localAddress?.port ?? config.admin.port)
        )
        logger.info(
            "portico is serving",
            metadata: [
                "listen": "\(bound.gateway)", "admin": "\(bound.admin)",
                "backends": "\(runtime.backends.map(\.name).joined(separator: ","))",
                "routes": "\(runtime.routes.count)",
            ])
        return bound
    }

    /// Binds one listener; a failure is logged and thrown as a `ListenError` naming its config key.
    private func bind(_ bootstrap: ServerBootstrap, to address: SocketAddressText, key: String) async throws -> any Channel {
        do {
            return try await bootstrap.bind(host: address.host, port: address.port).get()
        } catch {
            let failure = ListenError(key: key, address: address, cause: error)
            logger.critical("\(failure)")
            throw failure
        }
    }

    /// The Kubernetes API client, made when a backend first names a Service and kept for the server's life.
    private func kubernetesDiscovery(for config: GatewayConfig) throws -> KubernetesDiscovery? {
        guard config.exposedServices != nil || config.backends.contains(where: { $0.kubernetes != nil }) else {
            return kubernetes.withLock { $0 }
        }
        return try kubernetes.withLock { kubernetes in
            if let kubernetes { return kubernetes }
            let made = try KubernetesDiscovery(config: config.kubernetes, logger: logger)
            kubernetes = made
            state.follow(made)
            return made
        }
    }

    /// Follows the endpoints (and, for `reflection` backends, the schema) of every backend of `runtime` not
    /// followed yet, and stops following the backends it no longer has.
    private func follow(_ runtime: GatewayRuntime, kubernetes: KubernetesDiscovery?) {
        let dispatchers = self.dispatchers.withLock { $0 }
        let present = Set(runtime.backends.map(ObjectIdentifier.init))
        let stopped = followers.withLock { followers in
            let gone = followers.filter { !present.contains($0.key) }
            for key in gone.keys { followers[key] = nil }
            for backend in runtime.backends where followers[ObjectIdentifier(backend)] == nil {
                // Only a schema refresher needs the pods as a stream (a thousand backends' streams cost 3 MiB).
                let pods =
                    backend.config.reflection == nil
                    ? nil : AsyncStream.makeStream(of: [EndpointAddress].self, bufferingPolicy: .bufferingNewest(1))
                let task = Task {
                    await self.follow(backend, kubernetes: kubernetes, dispatchers: dispatchers, pods: pods)
                }
                followers[ObjectIdentifier(backend)] = Follower(
                    backend: backend, task: task, podChanges: pods?.continuation)
            }
            return gone.values.map(\.task)
        }
        for task in stopped { task.cancel() }
    }

    /// Applies every endpoint snapshot of `backend`: to its balancer, and to each loop's pool, which opens
    /// connections to new endpoints and drains those of endpoints that are gone. For a `reflection` backend,
    /// also keeps its schema current from its pods. Runs until cancelled.
    private func follow(
        _ backend: BackendRuntime, kubernetes: KubernetesDiscovery?, dispatchers: [NIOLoopBound<RequestDispatcher>],
        pods: (stream: AsyncStream<[EndpointAddress]>, continuation: AsyncStream<[EndpointAddress]>.Continuation)?
    ) async {
        let logger = self.logger
        let updates = backend.endpointUpdates(kubernetes: kubernetes)
        guard let pods else {
            for await snapshot in updates { Self.apply(snapshot, to: backend, dispatchers: dispatchers, logger: logger) }
            return
        }
        let refresher = SchemaRefresher(
            backend: backend, current: await self.updates.schema(of: backend.name), eventLoop: group.next(),
            config: state.runtime.config, metrics: state.metrics, types: self.updates.types,
            descriptorFiles: self.updates.descriptorFiles,
            install: { [updates = self.updates] schema, api in await updates.schemaArrived(schema, api: api) },
            logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await refresher.run(pods: pods.stream) }
            pods.continuation.yield(backend.balancer.endpoints)
            for await snapshot in updates {
                pods.continuation.yield(Self.apply(snapshot, to: backend, dispatchers: dispatchers, logger: logger))
            }
        }
    }

    /// Turns the Services `config.exposedServices` finds into backends, replacing the feed of an earlier config.
    private func followExposedServices(of config: GatewayConfig, kubernetes: KubernetesDiscovery?) {
        var task: Task<Void, Never>?
        if let settings = config.exposedServices, let kubernetes {
            let feed = ExposedServicesFeed(settings: settings, updates: updates, logger: logger)
            task = Task { await feed.run(kubernetes: kubernetes) }
        }
        let replaced = exposedServicesFeed.withLock { current in
            defer { current = task }
            return current
        }
        replaced?.cancel()
        if task == nil && replaced != nil {
            Task { await updates.discoveredBackendsChanged([], replaced: []) }
        }
    }

    /// Serves new requests with `runtime`: each loop's dispatcher takes it, and the backends it adds are followed.
    private func serve(_ runtime: GatewayRuntime) {
        let previous = installing.withLock { _ in
            for dispatcher in dispatchers.withLock({ $0 }) {
                dispatcher.eventLoop.execute { dispatcher.value.install(runtime) }
            }
            return lastServed.withLock { last in
                defer { last = runtime }
                return last
            }
        }
        follow(runtime, kubernetes: kubernetes.withLock { $0 })
        reportConflicts(of: runtime, after: previous)
    }

    /// Logs the conflicts `runtime` has that `previous` had not, and sets the conflicts gauge.
    private func reportConflicts(of runtime: GatewayRuntime, after previous: GatewayRuntime?) {
        let known = Set((previous?.routes.leftOut ?? []).map(\.conflict.description))
        for leftOut in runtime.routes.leftOut where !known.contains(leftOut.conflict.description) {
            logger.warning(
                "route left out: an earlier backend serves it",
                metadata: [
                    "backend": "\(leftOut.route.target.backend.name)", "conflict": "\(leftOut.conflict)",
                    "kept": "\(leftOut.kept.target.backend.name)",
                ])
        }
        let knownServices = Set(previous?.serviceConflicts ?? [])
        for conflict in runtime.serviceConflicts where !knownServices.contains(conflict) {
            logger.warning(
                "service left out: an earlier backend serves it",
                metadata: [
                    "service": "\(conflict.service)", "backend": "\(conflict.leftOutBackend)",
                    "kept": "\(conflict.keptBackend)",
                ])
        }
        state.metrics.recordConflicts(runtime.routes.leftOut.count + runtime.serviceConflicts.count)
    }

    /// Builds a route table and backends from `config` and serves new requests with them; requests in flight
    /// finish on the old ones. Listener addresses and event loops cannot change while running: a new value for
    /// them is ignored with a warning.
    ///
    /// Logs the outcome and counts it in `portico_config_reloads_total`.
    ///
    /// - Throws: `ConfigError` when the new config cannot be used; the old one stays in force.
    public func reload(config: GatewayConfig) async throws(ConfigError) {
        let old = state.runtime.config
        let runtime: GatewayRuntime
        let kubernetes: KubernetesDiscovery?
        do {
            kubernetes = try kubernetesDiscovery(for: config)
            runtime = try await updates.reload(config)
        } catch let error as ConfigError {
            rejectReload(error)
            throw error
        } catch {
            let configError = ConfigError(file: "", key: "kubernetes", message: "\(error)")
            rejectReload(configError)
            throw configError
        }
        if old.exposedServices != config.exposedServices {
            followExposedServices(of: config, kubernetes: kubernetes)
        }
        if old.listen != config.listen || old.admin != config.admin || old.eventLoops != config.eventLoops {
            logger.warning("listen, admin and eventLoops changes need a restart; the new values are ignored")
        }
        state.metrics.recordReloadSucceeded()
        logger.info(
            "config reloaded",
            metadata: [
                "backends": "\(runtime.backends.map(\.name).joined(separator: ","))",
                "routes": "\(runtime.routes.count)",
            ])
    }

    /// Reads `file` and reloads it (see `reload(config:)`); a file that cannot be loaded is logged and counted
    /// as a failed reload.
    ///
    /// - Returns: Whether the new config is in force.
    @discardableResult
    public func reload(configFile file: String) async -> Bool {
        let config: GatewayConfig
        do {
            config = try GatewayConfig.load(file: file)
        } catch {
            rejectReload(error)
            return false
        }
        do {
            try await reload(config: config)
            return true
        } catch {
            return false
        }
    }

    private func rejectReload(_ error: ConfigError) {
        state.metrics.recordReloadFailed()
        logger.error("config reload rejected; the previous config stays in force", metadata: ["error": "\(error)"])
    }

    /// Drains the gateway: `/readyz` fails at once; after the config's `shutdownDelay` the listener closes and
    /// every client connection is told to finish (HTTP/1.1 replies get `Connection: close`, h2c connections get
    /// GOAWAY); returns once they are all closed or the `drainTimeout` has passed.
    public func drain() async {
        let lifecycle = state.runtime.config.lifecycle
        state.enter(.draining)
        logger.info(
            "draining",
            metadata: ["shutdownDelay": "\(lifecycle.shutdownDelay)", "drainTimeout": "\(lifecycle.drainTimeout)"])
        try? await Task.sleep(for: lifecycle.shutdownDelay)
        if let channel = listener.withLock({ $0.take() }) { try? await channel.close() }
        connections.drainAll()
        let deadline = ContinuousClock.now + lifecycle.drainTimeout
        while connections.count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = connections.count
        logger.log(level: left == 0 ? .info : .warning, "drained", metadata: ["connectionsLeft": "\(left)"])
    }

    /// Applies `snapshot` as if its backend's discovery had published it (tests change the endpoints of a
    /// running gateway this way).
    package func apply(_ snapshot: EndpointSnapshot) {
        guard let backend = state.runtime.backends.first(where: { $0.name == snapshot.backend }) else { return }
        let addresses = Self.apply(snapshot, to: backend, dispatchers: dispatchers.withLock { $0 }, logger: logger)
        followers.withLock { $0[ObjectIdentifier(backend)] }?.podChanges?.yield(addresses)
    }

    /// The open upstream connections to each endpoint of `backend` (endpoints that left but still finish
    /// calls included), summed over the event loops.
    package func upstreamConnectionCounts(backend: String) async -> [EndpointAddress: Int] {
        var counts: [EndpointAddress: Int] = [:]
        for dispatcher in dispatchers.withLock({ $0 }) {
            let loopCounts = try? await dispatcher.eventLoop.submit {
                dispatcher.value.pools[backend].map { Array($0.connectionCounts) } ?? []
            }.get()
            for (endpoint, count) in loopCounts ?? [] where count > 0 { counts[endpoint, default: 0] += count }
        }
        return counts
    }

    /// Applies a snapshot to `backend`'s balancer (its endpoints, and the annotated strategy) and to each
    /// loop's pool, which opens connections to new endpoints and drains those of endpoints that are gone.
    @discardableResult
    private static func apply(
        _ snapshot: EndpointSnapshot, to backend: BackendRuntime, dispatchers: [NIOLoopBound<RequestDispatcher>],
        logger: Logger
    ) -> [EndpointAddress] {
        let addresses = backend.apply(snapshot)
        for dispatcher in dispatchers {
            dispatcher.eventLoop.execute {
                // After a reload this loop's pools belong to another runtime's backend of that name.
                guard let pool = dispatcher.value.pools[backend.name], pool.backend === backend else { return }
                pool.update(endpoints: addresses)
            }
        }
        logger.info(
            "endpoints updated",
            metadata: [
                "backend": "\(backend.name)", "balancer": "\(backend.balancer.strategy.rawValue)",
                "endpoints": "\(addresses.map(\.description).joined(separator: ","))",
            ])
        return addresses
    }

    /// Closes the listeners and every connection, then the event loops.
    public func stop() async {
        state.enter(.stopped)
        exposedServicesFeed.withLock { $0.take() }?.cancel()
        for follower in followers.withLock({ all in defer { all = [:] }; return all.values }) { follower.task.cancel() }
        let channels = [listener.withLock { $0.take() }, adminListener.withLock { $0.take() }].compactMap { $0 }
        for channel in channels { try? await channel.close() }
        await connections.closeAll()
        for dispatcher in dispatchers.withLock({ all in defer { all = [] }; return all }) {
            try? await dispatcher.eventLoop.submit { dispatcher.value.shutDown() }.get()
        }
        try? await group.shutdownGracefully()
        logger.info("portico stopped")
    }

    /// Serves until graceful shutdown (SIGTERM or SIGINT through the service group), then drains; on
    /// cancellation it stops without draining.
    public func run() async throws {
        try await start()
        do {
            try await gracefulShutdown()
            logger.info("shutting down")
            await drain()
        } catch {
            logger.info("cancelled; stopping without draining")
        }
        await stop()
    }

    private static func configure(
        channel: any Channel, dispatcher: RequestDispatcher, limits: GatewayConfig.Limits
    ) throws {
        let clientAddress = channel.remoteAddress?.ipAddress
        var http2 = HTTP2Configuration.defaults
        http2.maxHeaderListSize = limits.maxHeaderBytes
        http2.maxConcurrentStreams = limits.maxConcurrentStreams
        http2.sendBufferHighWaterMark = limits.streamBufferBytes
        http2.headerBlockTimeout = .init(limits.requestHeaderTimeout)
        let detector = ProtocolDetector(
            configureHTTP1: { context in
                var decoderLimits = NIOHTTPDecoderLimitConfiguration()
                decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
                decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
                try context.pipeline.syncOperations.addHandlers(
                    [
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, limitConfiguration: decoderLimits)),
                        HTTP1ConnectionHandler(dispatcher: dispatcher, limits: limits),
                    ],
                    position: .after(context.handler))
            },
            configureHTTP2: { context in
                let requests = HTTP2RequestHandler(
                    dispatcher: dispatcher, limits: limits, clientAddress: clientAddress)
                try context.pipeline.syncOperations.addHandler(
                    HTTP2ServerConnectionHandler(configuration: http2, delegate: requests),
                    position: .after(context.handler))
            })
        try channel.pipeline.syncOperations.addHandlers([
            IdleStateHandler(readTimeout: .nanoseconds(limits.idleTimeout.nanoseconds)),
            IdleConnectionCloser(),
            detector,
        ])
    }
}
