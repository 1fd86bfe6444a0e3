import Balancer
import NIOCore

/// What one kind of upstream call (a transcoded JSON request, a proxied native gRPC call) does with the streams
/// the driver opens for it. Its stream events (``UpstreamAttemptListener``) come tagged with the attempt.
protocol UpstreamExchange: UpstreamAttemptListener {
    /// Opens attempt `attempt`'s stream on `connection` (to `endpoint`) and sends what the request has so far.
    func openStream(on connection: HTTP2ClientConnection, to endpoint: EndpointAddress, attempt: Int) throws
        -> HTTP2ClientStream
    /// The current attempt was given up for another: what it received is forgotten.
    func attemptAbandoned()
    /// The call is over; `end` says what the client gets.
    func callEnded(_ end: UpstreamCallStateMachine.CallEnd)
}

/// The one core of every upstream call: it runs an ``UpstreamCallStateMachine`` and carries its actions out with
/// the pool (picks, connections, the wait for one), the current attempt's stream, the call's deadline and the
/// balancer (every settlement). The exchange around it interprets the stream's bytes, feeds `machine` the events
/// they make and hands the actions it answers to `perform`.
///
/// The driver holds its exchange from `start` until the call ends, so that the pool's and the deadline's
/// callbacks reach it; the exchange holds the driver.
final class UpstreamCallDriver {
    let pool: UpstreamPool
    /// The call's state; the exchange feeds it events and passes their actions to `perform`.
    var machine: UpstreamCallStateMachine
    /// The current attempt's stream, while it is open.
    private(set) var stream: HTTP2ClientStream?
    /// The endpoint of the latest attempt, for the access log.
    private(set) var endpoint: EndpointAddress?
    private var exchange: (any UpstreamExchange)?
    private var waiter: UpstreamPool.WaiterID?
    private var deadline: CallDeadlines.Registration?

    /// - Parameters:
    ///   - deadlineIsClients: The deadline came from the client's `grpc-timeout`: missing it is the client's
    ///     doing, not the pod's.
    ///   - requestReplay: See ``UpstreamCallStateMachine/init(configuration:requestReplay:)``.
    init(pool: UpstreamPool, deadlineIsClients: Bool, requestReplay: UpstreamCallStateMachine.RequestReplay) {
        self.pool = pool
        self.machine = UpstreamCallStateMachine(
            configuration: .init(
                retryUnavailable: pool.backend.config.balancing.retryUnavailable, deadlineIsClients: deadlineIsClients),
            requestReplay: requestReplay)
    }

    /// Starts the call for `exchange`; it ends with DEADLINE_EXCEEDED if `deadline` passes first.
    func start(_ exchange: any UpstreamExchange, deadline: NIODeadline) {
        self.exchange = exchange
        self.deadline = pool.deadlines.register(deadline) { self.perform(self.machine.deadlineExpired()) }
        perform(machine.start())
    }

    /// The backend's final status for `attempt`; an UNAVAILABLE one may be tried again within the retry budget.
    func receivedStatus(_ code: GRPCStatusCode, attempt: Int) -> UpstreamCallStateMachine.Action {
        let balancer = pool.backend.balancer
        return machine.receivedStatus(code, attempt: attempt, at: .now) { balancer.exchangeRetryPermit($0) }
    }

    /// `attempt`'s stream closed; `error` says how, if not normally.
    func streamClosed(error: HTTP2Error?, attempt: Int) {
        if machine.openAttempt == attempt { stream = nil }
        let reason = error.map { "backend stream failed: \($0)" } ?? "backend stream ended without a status"
        perform(
            machine.streamClosed(
                attempt: attempt, neverProcessed: error?.requestNeverProcessed ?? false,
                connectionFailed: error?.isConnectionFailure ?? false, reason: reason))
    }

    /// Carries out one of the machine's actions.
    func perform(_ action: UpstreamCallStateMachine.Action) {
        switch action {
        case .none:
            break
        case .acquireConnection(let excluding):
            acquireConnection(excluding: excluding)
        case .openStream:
            assertionFailure("openStream answers connectionPicked only, where the connection is at hand")
        case .retry(let settlement, let resetStream, let excluding):
            pool.backend.balancer.settle(settlement)
            if resetStream { stream?.reset(errorCode: .cancel) }
            stream = nil
            pool.backend.metrics.recordRetry()
            exchange?.attemptAbandoned()
            acquireConnection(excluding: excluding)
        case .finish(let settlement, let resetStream, let stopWaiting, let end):
            pool.backend.balancer.settle(settlement)
            if resetStream { stream?.reset(errorCode: .cancel) }
            if stopWaiting, let waiter { pool.cancelWaiting(waiter) }
            waiter = nil
            if let deadline { pool.deadlines.cancel(deadline) }
            deadline = nil
            let exchange = self.exchange
            self.exchange = nil
            exchange?.callEnded(end)
        case .settle(let settlement):
            pool.backend.balancer.settle(settlement)
        }
    }

    private func acquireConnection(excluding: Set<EndpointAddress>) {
        waiter = pool.acquireConnection(excluding: excluding) { result in
            self.waiter = nil
            switch result {
            case .failure(let error):
                self.perform(self.machine.noConnection(error))
            case .success(let (connection, pick)):
                let action = self.machine.connectionPicked(pick, at: .now)
                guard case .openStream(let attempt) = action, let exchange = self.exchange else {
                    self.perform(action)
                    return
                }
                self.endpoint = pick.endpoint
                do {
                    self.stream = try exchange.openStream(on: connection, to: pick.endpoint, attempt: attempt)
                } catch {
                    self.perform(
                        self.machine.streamRefused(
                            attempt: attempt, reason: "cannot open a stream to the backend: \(error)"))
                }
            }
        }
    }
}

@available(*, unavailable)
extension UpstreamCallDriver: Sendable {}
