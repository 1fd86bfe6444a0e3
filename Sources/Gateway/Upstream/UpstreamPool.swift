import Balancer
import Logging
import NIOCore

/// The connections from one event loop to the pods of one backend, and the way calls get a stream on them.
///
/// The backend's shared balancer picks the pod among those whose connection on this loop can take a
/// stream. A call that arrives while connections are still opening waits for one (up to its deadline); a
/// call that finds every connection failing is refused at once, never after a timeout.
final class UpstreamPool {
    /// A call's place in the queue of calls waiting for a connection.
    struct WaiterID: Hashable {
        fileprivate let value: Int
    }

    /// A call waiting for a connection to become ready.
    private struct Waiter {
        let id: WaiterID
        let open: (Result<(HTTP2ClientConnection, Pick), GatewayError>) -> Void
    }

    let backend: BackendRuntime
    /// The deadlines of the calls on this pool's event loop (shared by the loop's pools).
    let deadlines: CallDeadlines
    private let eventLoop: any EventLoop
    private let configuration: HTTP2Configuration
    private let settings: GatewayConfig.Balancing
    private let logger: Logger
    private var connections: [EndpointAddress: EndpointConnections] = [:]
    /// Endpoints that left discovery and still have connections finishing their streams.
    private var leaving: [EndpointConnections] = []
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0

    /// - Parameters:
    ///   - configuration: The HTTP/2 settings of every connection; keepalive comes from the backend's
    ///     `balancing` settings.
    ///   - deadlines: The deadlines of the calls on `eventLoop`.
    init(
        backend: BackendRuntime, eventLoop: any EventLoop, configuration: HTTP2Configuration, deadlines: CallDeadlines,
        logger: Logger
    ) {
        self.backend = backend
        self.deadlines = deadlines
        self.logger = logger
        self.eventLoop = eventLoop
        self.settings = backend.config.balancing
        var configuration = configuration
        configuration.keepaliveInterval = settings.keepaliveInterval.map { .nanoseconds($0.nanoseconds) }
        configuration.keepaliveTimeout = .nanoseconds(settings.keepaliveTimeout.nanoseconds)
        self.configuration = configuration
    }

    /// The connectivity state of each endpoint's connections on this loop.
    var states: [EndpointAddress: EndpointConnections.State] {
        connections.mapValues(\.state)
    }

    /// The open connections to each endpoint on this loop, draining ones and those of endpoints that left
    /// included.
    var connectionCounts: [EndpointAddress: Int] {
        var counts = connections.mapValues(\.connectionCount)
        for endpoint in leaving { counts[endpoint.address, default: 0] += endpoint.connectionCount }
        return counts
    }

    /// Opens connections to new endpoints. Endpoints that are gone get no more calls at once; their
    /// connections close after their in-flight streams finish, or after the backend's drain timeout.
    func update(endpoints: [EndpointAddress]) {
        let wanted = Set(endpoints)
        for (address, endpoint) in connections where !wanted.contains(address) {
            retire(endpoint)
            connections[address] = nil
        }
        for address in endpoints where connections[address] == nil {
            let endpoint = EndpointConnections(
                address: address, eventLoop: eventLoop, configuration: configuration, backoff: .defaults,
                maxConnections: settings.maxConnectionsPerEndpoint, metrics: backend.metrics,
                connectivity: backend.connectivity, logger: logger)
            endpoint.onStateChange = { [weak self] in self?.serveWaiters() }
            connections[address] = endpoint
            endpoint.start()
        }
        serveWaiters()
    }

    /// Closes every connection once its streams are done (or after the backend's drain timeout).
    func shutDown() {
        for endpoint in connections.values { retire(endpoint) }
        connections.removeAll()
        serveWaiters()
    }

    /// Stops an endpoint's connections, and keeps it until they are closed.
    private func retire(_ endpoint: EndpointConnections) {
        endpoint.onStateChange = { [weak self, weak endpoint] in
            guard let self, let endpoint, endpoint.connectionCount == 0 else { return }
            self.leaving.removeAll { $0 === endpoint }
        }
        endpoint.shutDown(gracePeriod: settings.drainTimeout)
        if endpoint.connectionCount > 0 { leaving.append(endpoint) }
    }

    /// Finds a connection that can take one more stream, waiting in line while connections are still opening.
    ///
    /// A waiting call leaves the line with ``cancelWaiting(_:)`` when it ends first (its deadline, its client
    /// gone); nothing here times out on its own.
    ///
    /// - Parameters:
    ///   - excluding: Endpoints not to use (an earlier attempt of the same call failed there).
    ///   - open: Called once on this event loop with a connection and the balancer's pick (whose ticket the
    ///     caller must complete), or the reason why there is none; never after `cancelWaiting`.
    /// - Returns: The call's place in line when it has to wait; nil when `open` was already called.
    @discardableResult
    func acquireConnection(
        excluding: Set<EndpointAddress> = [],
        open: @escaping (Result<(HTTP2ClientConnection, Pick), GatewayError>) -> Void
    ) -> WaiterID? {
        switch pickConnection(excluding: excluding) {
        case .picked(let connection, let pick):
            hand(connection, pick, to: open)
            return nil
        case .refused(let error):
            open(.failure(error))
            return nil
        case .wait:
            let id = WaiterID(value: nextWaiterID)
            nextWaiterID += 1
            waiters.append(Waiter(id: id, open: open))
            return id
        }
    }

    /// Takes a waiting call out of line; its `open` is not called.
    func cancelWaiting(_ id: WaiterID) {
        waiters.removeAll { $0.id == id }
    }

    private enum Choice {
        case picked(HTTP2ClientConnection, Pick)
        case wait
        case refused(GatewayError)
    }

    private func pickConnection(excluding wanted: Set<EndpointAddress> = []) -> Choice {
        // Retrying on the endpoint that failed beats failing when it is the only one.
        let excluding = connections.keys.allSatisfy(wanted.contains) ? [] : wanted
        let pick = backend.balancer.pick { address in
            !excluding.contains(address) && connections[address]?.connectionWithCapacity != nil
        }
        if let pick, let connection = connections[pick.endpoint]?.connectionWithCapacity {
            return .picked(connection, pick)
        }
        let candidates = connections.values.filter { !excluding.contains($0.address) }
        // Opening connections, and open ones that are full, will have room soon.
        if candidates.contains(where: { $0.state == .connecting || $0.state == .ready }) {
            return .wait
        }
        if candidates.isEmpty {
            return .refused(.noEndpoint(backend: backend.name, reason: "it has no endpoints"))
        }
        let reasons = Set(candidates.compactMap(\.failureReason)).sorted().joined(separator: "; ")
        return .refused(.noEndpoint(backend: backend.name, reason: reasons))
    }

    /// Gives a connection to a caller, who starts its stream at once; then opens another connection to that
    /// endpoint if this one stream filled them all.
    private func hand(
        _ connection: HTTP2ClientConnection, _ pick: Pick,
        to open: (Result<(HTTP2ClientConnection, Pick), GatewayError>) -> Void
    ) {
        open(.success((connection, pick)))
        connections[pick.endpoint]?.openAnotherIfFull()
    }

    private func serveWaiters() {
        while !waiters.isEmpty {
            switch pickConnection() {
            case .wait:
                return
            case .picked(let connection, let pick):
                let waiter = waiters.removeFirst()
                hand(connection, pick, to: waiter.open)
            case .refused(let error):
                let waiting = waiters
                waiters.removeAll()
                for waiter in waiting {
                    waiter.open(.failure(error))
                }
            }
        }
    }
}

@available(*, unavailable)
extension UpstreamPool: Sendable {}
