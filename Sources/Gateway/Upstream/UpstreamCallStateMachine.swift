import Balancer

/// The life of one call to a backend, for a transcoded JSON request and a proxied native gRPC call alike:
/// which pod it goes to, when it is tried again, how it ends, and what the balancer learns from it.
///
/// A value type that takes events and returns actions, as grpc-swift-nio-transport's stream state machines do;
/// ``UpstreamCallDriver`` carries the actions out (the pool, the stream, the deadline, the balancer) for both
/// exchanges that read and write the bytes, ``UpstreamCall`` and ``GRPCProxyStream``. Everything the balancer is owed leaves through a ``Settlement`` exactly once: the
/// ticket of every pick, and the retry permit of a retry.
///
/// The rules:
/// - A call that never reached a pod (connection refused or lost before the request went out, stream refused,
///   above a GOAWAY's last stream id) is tried again on another pod, up to `maxAttempts` in all, without
///   spending the retry budget, and teaches the balancer nothing: the pod's connection state (backoff) keeps
///   it out, never an ejection. A call whose connection is lost after the request went out fails, and does
///   not count against the pod either.
/// - A call a pod answered UNAVAILABLE is tried again only when the backend opts in (`retryOn`), before
///   anything reached the client, with the whole request at hand, and within the retry budget.
/// - A pod that answers but fails (UNAVAILABLE, a stream reset after processing began, a timeout of the
///   gateway's own deadline on an accepted stream) is reported `.unavailable`, which feeds ejection.
/// - The client's own deadline, and the client going away, are `.cancelled`: nothing is learned.
///
/// Events that belong to an earlier attempt, or arrive after the call ended, are answered `.none`.
struct UpstreamCallStateMachine {
    /// How the call may be tried again, and whose deadline it runs under.
    struct Configuration {
        /// Attempts in all, the first included. Default 3.
        var maxAttempts = 3
        /// The backend retries UNAVAILABLE replies (`balancing.retryOn: [unavailable]`).
        var retryUnavailable: Bool
        /// The deadline is the client's own (`grpc-timeout`), not the backend's configured timeout.
        var deadlineIsClients: Bool
    }

    /// What the balancer is owed; ``LoadBalancer/settle(_:)`` pays it.
    struct Settlement: Equatable {
        /// The outcome of the attempt whose pick this ticket is.
        var ticket: Pick.Ticket?
        var outcome: RequestOutcome = .cancelled
        /// A retry permit to give back.
        var permit: RetryPermit?

        var isEmpty: Bool { ticket == nil && permit == nil }
    }

    /// How the call ended, for the client.
    enum CallEnd: Equatable {
        /// The backend's own final status: its reply (trailers or the collected reply) goes to the client.
        case status(GRPCStatusCode)
        /// The gateway ends the call with this error.
        case failure(code: GRPCStatusCode, message: String)
        /// The client went away: there is nobody to answer.
        case cancelled
    }

    enum Action: Equatable {
        /// Nothing to do.
        case none
        /// Ask the pool for a connection to a pod not in `excluding`.
        case acquireConnection(excluding: Set<EndpointAddress>)
        /// Open the stream of attempt `attempt` on the connection just picked.
        case openStream(attempt: Int)
        /// Settle, reset the current stream if `resetStream`, and ask the pool again.
        case retry(Settlement, resetStream: Bool, excluding: Set<EndpointAddress>)
        /// Settle, reset the stream if `resetStream`, leave the pool's queue if `stopWaiting`, cancel the
        /// deadline, and end the call for the client.
        case finish(Settlement, resetStream: Bool, stopWaiting: Bool, CallEnd)
        /// Settle only: a pick that came after the call ended.
        case settle(Settlement)
    }

    /// How far the request the gateway would have to send again is known.
    enum RequestReplay: Equatable {
        /// Every byte sent so far is kept; `complete` once the client ended its side.
        case kept(complete: Bool)
        /// Too large to keep: the call cannot be tried again once any of it went out.
        case lost
    }

    private struct Attempt {
        var number: Int
        var ticket: Pick.Ticket?
        var startedAt: ContinuousClock.Instant
        var firstMessageAt: ContinuousClock.Instant?
        var receivedAnything = false
    }

    private enum State {
        case idle
        case waitingForConnection(attempt: Int)
        case open(Attempt)
        case finished
    }

    let configuration: Configuration
    private var state: State = .idle
    private var attempts = 0
    private var triedEndpoints: Set<EndpointAddress> = []
    private var permit: RetryPermit?
    private var forwardedToClient = false
    private(set) var requestReplay: RequestReplay

    /// - Parameter requestReplay: `.kept(complete: true)` for a request known whole from the start (a JSON
    ///   call); `.kept(complete: false)` for a native call whose request is still streaming in.
    init(configuration: Configuration, requestReplay: RequestReplay) {
        self.configuration = configuration
        self.requestReplay = requestReplay
    }

    /// The call has ended.
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// The attempt whose stream is open, if one is.
    var openAttempt: Int? {
        if case .open(let attempt) = state { return attempt.number }
        return nil
    }

    // MARK: - Events from the handler

    /// The call begins.
    mutating func start() -> Action {
        guard case .idle = state else { return .none }
        attempts = 1
        state = .waitingForConnection(attempt: 1)
        return .acquireConnection(excluding: [])
    }

    /// The pool picked a pod with a connection that takes a stream.
    mutating func connectionPicked(_ pick: Pick, at now: ContinuousClock.Instant) -> Action {
        guard case .waitingForConnection(let number) = state else {
            return .settle(Settlement(ticket: pick.ticket, outcome: .cancelled))
        }
        triedEndpoints.insert(pick.endpoint)
        state = .open(Attempt(number: number, ticket: pick.ticket, startedAt: now))
        return .openStream(attempt: number)
    }

    /// The pool has no connection to give (no pod, every pod failing).
    mutating func noConnection(_ error: GatewayError) -> Action {
        guard case .waitingForConnection = state else { return .none }
        // The pool's answer took the call out of its queue already.
        state = .idle
        return finish(outcome: .cancelled, resetStream: false, .failure(code: error.code, message: error.message))
    }

    /// The stream of `attempt` could not be opened, or closed, before any of the request went out.
    mutating func streamRefused(attempt: Int, reason: String) -> Action {
        guard case .open(let open) = state, open.number == attempt else { return .none }
        return endUnreached(reason: reason)
    }

    /// Response headers (not trailers-only) of `attempt` arrived.
    mutating func receivedResponseHeaders(attempt: Int) -> Action {
        guard case .open(var open) = state, open.number == attempt else { return .none }
        open.receivedAnything = true
        state = .open(open)
        return .none
    }

    /// A response message of `attempt` arrived; the first one is the latency the balancer learns.
    mutating func receivedResponseMessage(attempt: Int, at now: ContinuousClock.Instant) {
        guard case .open(var open) = state, open.number == attempt else { return }
        open.receivedAnything = true
        if open.firstMessageAt == nil { open.firstMessageAt = now }
        state = .open(open)
    }

    /// Something of the reply went to the client: the call can no longer be tried again.
    mutating func forwardedReplyToClient() {
        forwardedToClient = true
    }

    /// The client ended its side of the request.
    mutating func requestEnded() {
        if case .kept = requestReplay { requestReplay = .kept(complete: true) }
    }

    /// The request outgrew what is kept for a retry.
    mutating func requestOutgrewReplay() {
        requestReplay = .lost
    }

    /// The backend's final status for `attempt` arrived (trailers, or a trailers-only response).
    ///
    /// - Parameter exchangePermit: Called only when an UNAVAILABLE reply may be retried: gives back the call's
    ///   current retry permit, if it holds one, and asks the budget for the next (nil: no retry).
    mutating func receivedStatus(
        _ code: GRPCStatusCode, attempt: Int, at now: ContinuousClock.Instant,
        exchangePermit: (RetryPermit?) -> RetryPermit?
    ) -> Action {
        guard case .open(let open) = state, open.number == attempt else { return .none }
        let latency = open.startedAt.duration(to: open.firstMessageAt ?? now)
        switch code {
        case .ok:
            return finish(outcome: .success(latency: latency), resetStream: false, .status(code))
        case .unavailable:
            if configuration.retryUnavailable, !forwardedToClient, requestReplay == .kept(complete: true),
                attempts < configuration.maxAttempts
            {
                permit = exchangePermit(permit)
                if permit != nil {
                    return retry(Settlement(ticket: open.ticket, outcome: .unavailable), resetStream: false)
                }
            }
            return finish(outcome: .unavailable, resetStream: false, .status(code))
        default:
            return finish(outcome: .otherError(latency: latency), resetStream: false, .status(code))
        }
    }

    /// The stream of `attempt` closed without a final status: reset, connection lost, or ended bare.
    ///
    /// - Parameters:
    ///   - neverProcessed: The pod cannot have begun the request (refused stream, above a GOAWAY's last stream
    ///     id, connection lost before the request went out): it is tried again.
    ///   - connectionFailed: The connection failed under the stream (closed, keepalive timeout, GOAWAY): the
    ///     call fails, but the pod is not blamed; its connection state keeps it out.
    mutating func streamClosed(
        attempt: Int, neverProcessed: Bool, connectionFailed: Bool, reason: String
    ) -> Action {
        guard case .open(let open) = state, open.number == attempt else { return .none }
        if neverProcessed && !open.receivedAnything {
            return endUnreached(reason: reason)
        }
        let outcome: RequestOutcome = connectionFailed ? .connectionFailed : .unavailable
        return finish(outcome: outcome, resetStream: false, .failure(code: .unavailable, message: reason))
    }

    /// The backend's reply could not be read (bad framing, a message over the limit, two for a unary call).
    mutating func receivedInvalidResponse(attempt: Int, _ error: GatewayError) -> Action {
        guard case .open(let open) = state, open.number == attempt else { return .none }
        return finish(outcome: .unavailable, resetStream: true, .failure(code: error.code, message: error.message))
    }

    /// The call's deadline passed.
    mutating func deadlineExpired() -> Action {
        let outcome: RequestOutcome = configuration.deadlineIsClients ? .cancelled : .unavailable
        let end = CallEnd.failure(code: .deadlineExceeded, message: GatewayError.deadlineExceeded.message)
        switch state {
        case .idle, .waitingForConnection:
            return finish(outcome: .cancelled, resetStream: false, end)
        case .open:
            return finish(outcome: outcome, resetStream: true, end)
        case .finished:
            return .none
        }
    }

    /// The client went away (reset its stream, closed its connection).
    mutating func clientCancelled() -> Action {
        switch state {
        case .idle, .waitingForConnection:
            return finish(outcome: .cancelled, resetStream: false, .cancelled)
        case .open:
            return finish(outcome: .cancelled, resetStream: true, .cancelled)
        case .finished:
            return .none
        }
    }

    // MARK: - The one retry rule and the one way to end

    /// A call that never reached its pod: tried again, without the budget, while attempts remain and the
    /// request can be sent again.
    private mutating func endUnreached(reason: String) -> Action {
        guard case .open(let open) = state else { return .none }
        let settlement = Settlement(ticket: open.ticket, outcome: .connectionFailed, permit: nil)
        if attempts < configuration.maxAttempts, requestReplay != .lost {
            return retry(settlement, resetStream: false)
        }
        return finish(outcome: .connectionFailed, resetStream: false, .failure(code: .unavailable, message: reason))
    }

    private mutating func retry(_ settlement: Settlement, resetStream: Bool) -> Action {
        attempts += 1
        state = .waitingForConnection(attempt: attempts)
        // Retrying on the pod that failed beats failing when it is the only one: the pool decides.
        return .retry(settlement, resetStream: resetStream, excluding: triedEndpoints)
    }

    private mutating func finish(outcome: RequestOutcome, resetStream: Bool, _ end: CallEnd) -> Action {
        var settlement = Settlement(ticket: nil, outcome: outcome, permit: permit)
        var stopWaiting = false
        switch state {
        case .open(let open):
            settlement.ticket = open.ticket
        case .waitingForConnection:
            stopWaiting = true
        case .idle, .finished:
            break
        }
        permit = nil
        state = .finished
        return .finish(settlement, resetStream: resetStream && settlement.ticket != nil, stopWaiting: stopWaiting, end)
    }
}
