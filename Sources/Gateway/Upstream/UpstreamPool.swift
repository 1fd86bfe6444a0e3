import Balancer
import NIOCore

/// The connections from one event loop to the pods of one backend, and the way calls get a stream on them.
///
/// The backend's shared balancer picks the pod among those whose connection on this loop can take a
/// stream. A call that arrives while connections are still opening waits for one (up to its deadline); a
/// call that finds every connection failing is refused at once, never after a timeout.
final class UpstreamPool {
    /// A call waiting for a connection to become ready.
    private struct Waiter {
        let id: Int
        let open: (Result<(HTTP2ClientConnection, Pick), GatewayError>) -> Void
        let timeout: Scheduled<Void>
    }

    let backend: BackendRuntime
    private let eventLoop: any EventLoop
    private let configuration: HTTP2Configuration
    private var connections: [EndpointAddress: EndpointConnection] = [:]
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0

    init(backend: BackendRuntime, eventLoop: any EventLoop, configuration: HTTP2Configuration) {
        self.backend = backend
        self.eventLoop = eventLoop
        self.configuration = configuration
    }

    /// Opens connections to new endpoints and closes those of endpoints that are gone (after their
    /// in-flight streams finish).
    func update(endpoints: [EndpointAddress]) {
        let wanted = Set(endpoints)
        for (address, connection) in connections where !wanted.contains(address) {
            connection.shutDown()
            connections[address] = nil
        }
        for address in endpoints where connections[address] == nil {
            let connection = EndpointConnection(
                address: address, eventLoop: eventLoop, configuration: configuration, backoff: .defaults,
                metrics: backend.metrics)
            connection.onStateChange = { [weak self] _ in self?.serveWaiters() }
            connections[address] = connection
            connection.start()
        }
        serveWaiters()
    }

    /// Closes every connection once its streams are done.
    func shutDown() {
        for connection in connections.values { connection.shutDown() }
        connections.removeAll()
        serveWaiters()
    }

    /// Finds a connection that can take one more stream, waiting until `deadline` if connections are
    /// still opening.
    ///
    /// - Parameters:
    ///   - deadline: When to give up waiting.
    ///   - excluding: Endpoints not to use (an earlier attempt of the same call failed there).
    ///   - open: Called once on this event loop with a connection and the balancer's pick (whose ticket the
    ///     caller must complete), or the reason why there is none.
    func acquireConnection(
        deadline: NIODeadline, excluding: Set<EndpointAddress> = [],
        open: @escaping (Result<(HTTP2ClientConnection, Pick), GatewayError>) -> Void
    ) {
        switch pickConnection(excluding: excluding) {
        case .picked(let connection, let pick):
            open(.success((connection, pick)))
        case .refused(let error):
            open(.failure(error))
        case .wait:
            let id = nextWaiterID
            nextWaiterID += 1
            let timeout = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
                self.timeOutWaiter(id: id)
            }
            waiters.append(Waiter(id: id, open: { result in open(result) }, timeout: timeout))
        }
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
        if candidates.contains(where: { $0.isConnecting || $0.connectionWithCapacity == nil && $0.failureReason == nil }) {
            return .wait
        }
        if candidates.isEmpty {
            return .refused(.noEndpoint(backend: backend.name, reason: "it has no endpoints"))
        }
        let reasons = Set(candidates.compactMap(\.failureReason)).sorted().joined(separator: "; ")
        return .refused(.noEndpoint(backend: backend.name, reason: reasons))
    }

    private func serveWaiters() {
        while !waiters.isEmpty {
            switch pickConnection() {
            case .wait:
                return
            case .picked(let connection, let pick):
                let waiter = waiters.removeFirst()
                waiter.timeout.cancel()
                waiter.open(.success((connection, pick)))
            case .refused(let error):
                let waiting = waiters
                waiters.removeAll()
                for waiter in waiting {
                    waiter.timeout.cancel()
                    waiter.open(.failure(error))
                }
            }
        }
    }

    private func timeOutWaiter(id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.open(.failure(.deadlineExceeded))
    }
}

@available(*, unavailable)
extension UpstreamPool: Sendable {}
