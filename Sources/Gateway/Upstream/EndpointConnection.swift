import Balancer
import NIOCore

/// The HTTP/2 connection from one event loop to one backend pod, kept open and re-opened with backoff.
///
/// Lives on its event loop; the pool asks it whether it can take a stream and tells it when to stop.
final class EndpointConnection: HTTP2ClientConnectionDelegate {
    /// Where the connection stands, as gRPC's connectivity states.
    enum State {
        /// Opening TCP and the HTTP/2 handshake.
        case connecting
        /// Open and taking streams.
        case ready(HTTP2ClientConnection)
        /// The last attempt failed; the next one is scheduled.
        case transientFailure(retry: Scheduled<Void>, reason: String)
        /// Told to stop; nothing more is attempted.
        case shutDown
    }

    let address: EndpointAddress
    private let eventLoop: any EventLoop
    private let configuration: HTTP2Configuration
    private let backoff: ConnectionBackoff
    private var failedAttempts = 0
    /// Connections that received GOAWAY or were replaced: they finish their streams, then close.
    private var draining: [ObjectIdentifier: HTTP2ClientConnection] = [:]
    /// Connections counted in the backend's open-connections gauge, until they close.
    private var counted: Set<ObjectIdentifier> = []
    private let metrics: BackendMetrics
    private(set) var state = State.connecting
    /// Called on every state change, so that the pool can serve requests waiting for a connection.
    var onStateChange: ((EndpointConnection) -> Void)?

    init(
        address: EndpointAddress, eventLoop: any EventLoop, configuration: HTTP2Configuration, backoff: ConnectionBackoff,
        metrics: BackendMetrics
    ) {
        self.address = address
        self.metrics = metrics
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.backoff = backoff
    }

    /// The open connection, if it can take one more stream now.
    var connectionWithCapacity: HTTP2ClientConnection? {
        guard case .ready(let connection) = state, connection.isActive,
            connection.openStreamCount < connection.peerMaxConcurrentStreams
        else { return nil }
        return connection
    }

    var isConnecting: Bool {
        if case .connecting = state { return true }
        return false
    }

    /// Why the last attempt failed, while the connection is in transient failure.
    var failureReason: String? {
        if case .transientFailure(_, let reason) = state { return reason }
        return nil
    }

    /// Opens the first connection.
    func start() {
        connect()
    }

    /// Stops reconnecting; open streams finish, then the connections close.
    func shutDown() {
        switch state {
        case .ready(let connection):
            connection.close(graceful: true)
        case .transientFailure(let retry, _):
            retry.cancel()
        case .connecting, .shutDown:
            break
        }
        for connection in draining.values { connection.close(graceful: true) }
        state = .shutDown
    }

    private func connect() {
        state = .connecting
        HTTP2ClientConnection.connect(
            host: address.host, port: address.port, eventLoop: eventLoop, configuration: configuration, delegate: self
        ).hop(to: eventLoop).assumeIsolated().whenComplete { result in
            self.connectFinished(result)
        }
        onStateChange?(self)
    }

    private func connectFinished(_ result: Result<HTTP2ClientConnection, any Error>) {
        guard case .connecting = state else {
            if case .success(let connection) = result { connection.close(graceful: false) }
            return
        }
        switch result {
        case .success(let connection):
            counted.insert(ObjectIdentifier(connection))
            metrics.recordConnectionOpened()
            failedAttempts = 0
            state = .ready(connection)
            onStateChange?(self)
        case .failure(let error):
            metrics.recordConnectionFailed()
            scheduleReconnect(reason: "\(error)")
        }
    }

    private func scheduleReconnect(reason: String) {
        failedAttempts += 1
        let delay = backoff.delay(attempt: failedAttempts, random: Double.random(in: 0..<1))
        let retry = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
            self.connect()
        }
        state = .transientFailure(retry: retry, reason: reason)
        onStateChange?(self)
    }

    func connectionReceivedGoAway(_ connection: HTTP2ClientConnection, lastStreamID: Int32, errorCode: HTTP2ErrorCode) {
        metrics.recordGoAway()
        guard case .ready(let current) = state, current === connection else { return }
        draining[ObjectIdentifier(connection)] = connection
        connect()
    }

    func connectionClosed(_ connection: HTTP2ClientConnection, error: HTTP2Error?) {
        if counted.remove(ObjectIdentifier(connection)) != nil { metrics.recordConnectionClosed() }
        if draining.removeValue(forKey: ObjectIdentifier(connection)) != nil { return }
        guard case .ready(let current) = state, current === connection else { return }
        // A connection that served and then dropped is retried at once; failures after that back off.
        connect()
    }

    func connectionStreamCapacityChanged(_ connection: HTTP2ClientConnection) {
        if case .ready(let current) = state, current === connection { onStateChange?(self) }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

@available(*, unavailable)
extension EndpointConnection: Sendable {}
