import Balancer
import Logging
import NIOCore

/// The HTTP/2 connections from one event loop to one backend pod, kept open, grown and re-opened with backoff.
///
/// Streams go to the oldest connection with room for one more; when every connection has as many streams as
/// the pod's SETTINGS_MAX_CONCURRENT_STREAMS allows, another opens, up to `maxConnections`. A connection that
/// gets GOAWAY takes no new stream, finishes its own and is replaced. Lives on its event loop; the pool asks
/// it for a connection with room and tells it when to stop.
final class EndpointConnections: HTTP2ClientConnectionDelegate {
    /// Where the endpoint stands, as gRPC's connectivity states.
    enum State: Equatable {
        /// No connection is open yet; one is opening.
        case connecting
        /// At least one connection is open and takes streams.
        case ready
        /// No connection is open and the last attempt failed; the next one is scheduled.
        case transientFailure
        /// Told to stop: connections finish their streams, then close; nothing is opened again.
        case shutDown
    }

    let address: EndpointAddress
    private let eventLoop: any EventLoop
    private let configuration: HTTP2Configuration
    private let backoff: ConnectionBackoff
    private let maxConnections: Int
    /// Open connections that take streams, oldest first.
    private var ready: [HTTP2ClientConnection] = []
    /// Connections that got GOAWAY, or belong to a stopped endpoint: they finish their streams, then close.
    private var draining: [HTTP2ClientConnection] = []
    private var isOpening = false
    private var retry: Scheduled<Void>?
    private var failedAttempts = 0
    private var isShutDown = false
    private let metrics: BackendMetrics
    private let connectivity: EndpointConnectivity
    private let logger: Logger
    private var publishedState: State?
    /// Connections counted as open in the metrics, until they close.
    private var counted: Set<ObjectIdentifier> = []
    /// Closes the draining connections of a stopped endpoint that outlive its grace period.
    private var drainDeadline: Scheduled<Void>?
    /// Why the last attempt to open a connection failed, until one succeeds.
    private(set) var failureReason: String?
    /// Called on every change that may let a waiting call go on: a connection opened, failed or closed,
    /// or a stream ended.
    var onStateChange: (() -> Void)?

    init(
        address: EndpointAddress, eventLoop: any EventLoop, configuration: HTTP2Configuration,
        backoff: ConnectionBackoff, maxConnections: Int, metrics: BackendMetrics, connectivity: EndpointConnectivity,
        logger: Logger
    ) {
        self.metrics = metrics
        self.connectivity = connectivity
        self.logger = logger
        self.address = address
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.backoff = backoff
        self.maxConnections = max(1, maxConnections)
    }

    var state: State {
        if isShutDown { return .shutDown }
        if !ready.isEmpty { return .ready }
        return retry == nil ? .connecting : .transientFailure
    }

    /// Open connections, draining ones included.
    var connectionCount: Int { ready.count + draining.count }

    /// The oldest open connection that can take one more stream now.
    var connectionWithCapacity: HTTP2ClientConnection? {
        ready.first { $0.isActive && $0.openStreamCount < $0.peerMaxConcurrentStreams }
    }

    /// Opens the first connection.
    func start() {
        open()
    }

    /// Opens one more connection if every open one is full and the cap allows it. Call after starting a
    /// stream, so that the next call finds room without waiting.
    func openAnotherIfFull() {
        guard !isShutDown, !isOpening, retry == nil, ready.count < maxConnections, connectionWithCapacity == nil
        else { return }
        open()
    }

    /// Stops opening connections; open streams may finish for up to `gracePeriod`, then their connections
    /// are closed.
    func shutDown(gracePeriod: Duration) {
        guard !isShutDown else { return }
        isShutDown = true
        retry?.cancel()
        retry = nil
        defer { stateChanged() }
        draining.append(contentsOf: ready)
        ready.removeAll()
        for connection in draining { connection.close(graceful: true) }
        guard !draining.isEmpty else { return }
        drainDeadline = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(gracePeriod.nanoseconds)) {
            self.drainDeadline = nil
            for connection in self.draining { connection.close(graceful: false) }
        }
    }

    private func open() {
        isOpening = true
        HTTP2ClientConnection.connect(
            host: address.host, port: address.port, eventLoop: eventLoop, configuration: configuration, delegate: self
        ).assumeIsolated().whenComplete { result in
            self.openFinished(result)
        }
        stateChanged()
    }

    private func openFinished(_ result: Result<HTTP2ClientConnection, any Error>) {
        isOpening = false
        switch result {
        case .success(let connection) where isShutDown:
            connection.close(graceful: false)
        case .success(let connection):
            counted.insert(ObjectIdentifier(connection))
            metrics.recordConnectionOpened()
            failedAttempts = 0
            failureReason = nil
            ready.append(connection)
        case .failure where isShutDown:
            break
        case .failure(let error):
            metrics.recordConnectionFailed()
            failedAttempts += 1
            failureReason = "\(error)"
            let delay = backoff.delay(attempt: failedAttempts, random: Double.random(in: 0..<1))
            retry = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
                self.retry = nil
                if self.ready.isEmpty { self.open() } else { self.openAnotherIfFull() }
            }
        }
        stateChanged()
    }

    func connectionReceivedGoAway(_ connection: HTTP2ClientConnection, lastStreamID: Int32, errorCode: HTTP2ErrorCode) {
        metrics.recordGoAway()
        guard let index = ready.firstIndex(where: { $0 === connection }) else { return }
        draining.append(ready.remove(at: index))
        if ready.isEmpty && !isOpening && retry == nil { open() }
        stateChanged()
    }

    func connectionClosed(_ connection: HTTP2ClientConnection, error: HTTP2Error?) {
        if counted.remove(ObjectIdentifier(connection)) != nil { metrics.recordConnectionClosed() }
        draining.removeAll { $0 === connection }
        if let index = ready.firstIndex(where: { $0 === connection }) {
            ready.remove(at: index)
            // A connection that served and then dropped is replaced at once; failures after that back off.
            if ready.isEmpty && !isOpening && retry == nil { open() }
        }
        if isShutDown && draining.isEmpty {
            drainDeadline?.cancel()
            drainDeadline = nil
        }
        stateChanged()
    }

    func connectionStreamCapacityChanged(_ connection: HTTP2ClientConnection) {
        if ready.contains(where: { $0 === connection }) { onStateChange?() }
    }

    /// Tells the pool, and the backend's connectivity record when the state moved.
    private func stateChanged() {
        let state = self.state
        if state != publishedState {
            publishedState = state
            let reported: EndpointConnectivity.State? =
                switch state {
                case .connecting: .connecting
                case .ready: .ready
                case .transientFailure: .transientFailure
                case .shutDown: nil
                }
            connectivity.record(
                reported, of: address, reporter: ObjectIdentifier(self), reason: failureReason, logger: logger)
        }
        onStateChange?()
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
extension EndpointConnections: Sendable {}
