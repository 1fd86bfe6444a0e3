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
/// Run it as a `Service` (`run()` serves until graceful shutdown or cancellation), or call `start()` and
/// `stop()` directly, as the tests do.
public final class GatewayServer: Service, Sendable {
    private let runtime: GatewayRuntime
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let listener = Mutex<(any Channel)?>(nil)
    private let adminListener = Mutex<(any Channel)?>(nil)
    private let readiness = AdminHandler.Readiness()
    private let discoveryTasks = Mutex<[Task<Void, Never>]>([])
    private let dispatchers = Mutex<[NIOLoopBound<RequestDispatcher>]>([])

    /// Loads the descriptors of every backend and builds the route table; nothing listens yet.
    ///
    /// - Throws: `ConfigError` when a descriptor file or a route is unusable.
    public init(config: GatewayConfig, logger: Logger) throws(ConfigError) {
        self.runtime = try GatewayRuntime(config: config)
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(
            numberOfThreads: config.eventLoops > 0 ? config.eventLoops : System.coreCount)
    }

    /// The route table, for printing.
    package var routes: RouteTable<RouteTarget> { runtime.routes }

    /// Binds both listeners and opens connections to every backend endpoint.
    ///
    /// - Returns: The addresses actually bound (useful with port 0).
    @discardableResult
    public func start() async throws -> (gateway: SocketAddressText, admin: SocketAddressText) {
        let config = runtime.config
        var dispatchers: [ObjectIdentifier: NIOLoopBound<RequestDispatcher>] = [:]
        for loop in group.makeIterator() {
            let runtime = self.runtime
            let logger = self.logger
            dispatchers[ObjectIdentifier(loop)] = try await loop.submit {
                NIOLoopBound(
                    RequestDispatcher(runtime: runtime, eventLoop: loop, http2: .defaults, logger: logger),
                    eventLoop: loop)
            }.get()
        }
        let frozen = dispatchers
        self.dispatchers.withLock { $0 = Array(frozen.values) }
        followDiscovery(dispatchers: Array(dispatchers.values))
        let limits = config.limits
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let dispatcher = frozen[ObjectIdentifier(channel.eventLoop)]!.value
                    try Self.configure(channel: channel, dispatcher: dispatcher, limits: limits)
                }
            }
            .bind(host: config.listen.host, port: config.listen.port).get()
        listener.withLock { $0 = channel }
        let readiness = self.readiness
        let admin = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(AdminHandler(readiness: readiness))
                }
            }
            .bind(host: config.admin.host, port: config.admin.port).get()
        adminListener.withLock { $0 = admin }
        readiness.markReady()
        let bound = (
            gateway: SocketAddressText(host: config.listen.host, port: channel.localAddress?.port ?? config.listen.port),
            admin: SocketAddressText(host: config.admin.host, port: admin.localAddress?.port ?? config.admin.port)
        )
        logger.info(
            "portico is serving",
            metadata: [
                "listen": "\(bound.gateway)", "admin": "\(bound.admin)",
                "backends": "\(runtime.backends.map(\.name).joined(separator: ","))",
                "routes": "\(runtime.routes.routes.count)",
            ])
        return bound
    }

    /// Applies every endpoint snapshot of every backend: to its balancer, and to each loop's pool, which
    /// opens connections to new endpoints and drains those of endpoints that are gone.
    private func followDiscovery(dispatchers: [NIOLoopBound<RequestDispatcher>]) {
        let logger = self.logger
        let tasks = runtime.backends.map { backend in
            Task {
                for await snapshot in backend.discovery.updates {
                    Self.apply(snapshot, to: backend, dispatchers: dispatchers, logger: logger)
                }
            }
        }
        discoveryTasks.withLock { $0 = tasks }
    }

    /// Applies `snapshot` as if its backend's discovery had published it (tests change the endpoints of a
    /// running gateway this way).
    package func apply(_ snapshot: EndpointSnapshot) {
        guard let backend = runtime.backends.first(where: { $0.name == snapshot.backend }) else { return }
        Self.apply(snapshot, to: backend, dispatchers: dispatchers.withLock { $0 }, logger: logger)
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

    private static func apply(
        _ snapshot: EndpointSnapshot, to backend: BackendRuntime, dispatchers: [NIOLoopBound<RequestDispatcher>],
        logger: Logger
    ) {
        let addresses = BackendRuntime.addresses(of: snapshot)
        backend.balancer.update(endpoints: addresses)
        for dispatcher in dispatchers {
            dispatcher.eventLoop.execute {
                dispatcher.value.pools[backend.name]?.update(endpoints: addresses)
            }
        }
        logger.info(
            "endpoints updated",
            metadata: ["backend": "\(backend.name)", "endpoints": "\(addresses.map(\.description).joined(separator: ","))"])
    }

    /// Stops accepting connections, then closes every connection and the event loops.
    public func stop() async {
        readiness.markDraining()
        for task in discoveryTasks.withLock({ tasks in defer { tasks = [] }; return tasks }) { task.cancel() }
        let channels = [listener.withLock { $0.take() }, adminListener.withLock { $0.take() }].compactMap { $0 }
        for channel in channels { try? await channel.close() }
        for dispatcher in dispatchers.withLock({ all in defer { all = [] }; return all }) {
            try? await dispatcher.eventLoop.submit { dispatcher.value.shutDown() }.get()
        }
        try? await group.shutdownGracefully()
        logger.info("portico stopped")
    }

    /// Serves until graceful shutdown (SIGTERM or SIGINT through the service group) or cancellation.
    public func run() async throws {
        try await start()
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down")
        }
        await stop()
    }

    private static func configure(
        channel: any Channel, dispatcher: RequestDispatcher, limits: GatewayConfig.Limits
    ) throws {
        let clientAddress = channel.remoteAddress?.ipAddress
        var http2 = HTTP2Configuration.defaults
        http2.maxHeaderListSize = limits.maxHeaderBytes
        let detector = ProtocolDetector(
            configureHTTP1: { context in
                var decoderLimits = NIOHTTPDecoderLimitConfiguration()
                decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
                decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
                try context.pipeline.syncOperations.addHandlers(
                    [
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, limitConfiguration: decoderLimits)),
                        HTTP1ConnectionHandler(dispatcher: dispatcher, maxRequestBytes: limits.maxRequestBytes),
                    ],
                    position: .after(context.handler))
            },
            configureHTTP2: { context in
                let requests = HTTP2RequestHandler(
                    dispatcher: dispatcher, maxRequestBytes: limits.maxRequestBytes, clientAddress: clientAddress)
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
