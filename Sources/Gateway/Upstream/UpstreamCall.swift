import Balancer
import NIOCore

/// One gRPC call to a backend on behalf of a JSON request: one stream on a pooled connection, one
/// request message, then the reply: gathered until the trailers for a unary method, or handed over
/// message by message for a server-streaming one.
///
/// Which pod, when to try again and what the balancer learns is decided by ``UpstreamCallStateMachine``;
/// this class carries its actions out: the pool, the stream, the deadline timer and the reply's bytes.
final class UpstreamCall: UpstreamAttemptListener {
    private let pool: UpstreamPool
    private let path: String
    private let metadata: [(name: String, value: String)]
    private let message: ByteBuffer
    private let deadline: NIODeadline
    private let eventLoop: any EventLoop
    private let maxResponseBytes: Int
    private var machine: UpstreamCallStateMachine
    private var completion: ((Result<UpstreamReply, GatewayError>) -> Void)?
    /// For a server-streaming call: receives each response message with the reply's header metadata.
    private var onMessage: ((ByteBuffer, _ headers: [(name: String, value: String)]) -> Void)?
    private var stream: HTTP2ClientStream?
    private var waiter: UpstreamPool.WaiterID?
    private var deadlineTimer: Scheduled<Void>?
    private var deframer: GRPCMessageDeframer
    private var reply = UpstreamReply(status: .ok, message: "", headers: [], trailers: [], response: nil)
    /// The client takes the streamed reply slower than it comes: the backend stream's window is held.
    private var repliesPaused = false
    /// The endpoint of the latest attempt, for the access log.
    private(set) var endpoint: EndpointAddress?

    /// - Parameters:
    ///   - message: The request message with its 5-byte gRPC prefix.
    ///   - deadlineIsClients: The deadline came from the client's `grpc-timeout` (missing it is the
    ///     client's doing, not the pod's).
    ///   - maxResponseBytes: The largest response message accepted.
    init(
        pool: UpstreamPool, path: String, metadata: [(name: String, value: String)], message: ByteBuffer,
        deadline: NIODeadline, deadlineIsClients: Bool, eventLoop: any EventLoop, maxResponseBytes: Int
    ) {
        self.pool = pool
        self.path = path
        self.metadata = metadata
        self.message = message
        self.deadline = deadline
        self.eventLoop = eventLoop
        self.maxResponseBytes = maxResponseBytes
        self.deframer = GRPCMessageDeframer(maxMessageBytes: maxResponseBytes)
        self.machine = UpstreamCallStateMachine(
            configuration: .init(
                retryUnavailable: pool.backend.config.balancing.retryUnavailable, deadlineIsClients: deadlineIsClients),
            requestReplay: .kept(complete: true))
    }

    /// Starts the call; `completion` runs once on the event loop.
    ///
    /// - Parameters:
    ///   - onMessage: For a server-streaming method, called with each response message as it arrives; the
    ///     completion's reply then carries no message. Nil for a unary method, whose one message comes in the
    ///     completion's reply.
    func start(
        onMessage: ((ByteBuffer, _ headers: [(name: String, value: String)]) -> Void)? = nil,
        completion: @escaping (Result<UpstreamReply, GatewayError>) -> Void
    ) {
        self.onMessage = onMessage
        self.completion = completion
        deadlineTimer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.perform(self.machine.deadlineExpired())
        }
        perform(machine.start())
    }

    /// The client went away: the call is cancelled and nothing more is reported.
    func cancel() {
        perform(machine.clientCancelled())
    }

    /// Stops taking reply messages from the backend until `resumeReplies()`: the pod can send at most one
    /// more stream window, which is still delivered.
    func pauseReplies() {
        repliesPaused = true
        stream?.pauseReceiving()
    }

    /// Takes reply messages again after `pauseReplies()`.
    func resumeReplies() {
        repliesPaused = false
        stream?.resumeReceiving()
    }

    // MARK: - Carrying out the state machine's actions

    private func perform(_ action: UpstreamCallStateMachine.Action) {
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
            deframer = GRPCMessageDeframer(maxMessageBytes: maxResponseBytes)
            reply = UpstreamReply(status: .ok, message: "", headers: [], trailers: [], response: nil)
            acquireConnection(excluding: excluding)
        case .finish(let settlement, let resetStream, let stopWaiting, let end):
            pool.backend.balancer.settle(settlement)
            if resetStream { stream?.reset(errorCode: .cancel) }
            if stopWaiting, let waiter { pool.cancelWaiting(waiter) }
            waiter = nil
            deadlineTimer?.cancel()
            finish(end)
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
                guard case .openStream(let attempt) = action else {
                    self.perform(action)
                    return
                }
                self.endpoint = pick.endpoint
                self.send(on: connection, authority: pick.endpoint.description, attempt: attempt)
            }
        }
    }

    private func send(on connection: HTTP2ClientConnection, authority: String, attempt: Int) {
        var headers = GRPCRequestHead.headers(path: path, authority: authority, reservingCapacity: 2 + metadata.count)
        headers.append(HTTP2Header(name: "content-type", value: "application/grpc"))
        headers.append(
            HTTP2Header(name: "grpc-timeout", value: GRPCTimeout.format(.nanoseconds((deadline - .now()).nanoseconds))))
        for (name, value) in metadata { headers.append(HTTP2Header(name: name, value: value)) }
        do {
            let stream = try connection.startStream(
                headers: headers, endStream: false, delegate: UpstreamAttemptDelegate(attempt: attempt, listener: self))
            self.stream = stream
            if repliesPaused { stream.pauseReceiving() }
            stream.sendData(message, endStream: true)
        } catch {
            perform(machine.streamRefused(attempt: attempt, reason: "cannot start a stream: \(error)"))
        }
    }

    private func finish(_ end: UpstreamCallStateMachine.CallEnd) {
        let isStreaming = onMessage != nil
        onMessage = nil
        guard let completion else { return }
        self.completion = nil
        switch end {
        case .status:
            if reply.status == .ok && reply.response == nil && !isStreaming {
                reply.status = .internalError
                reply.message = "backend sent no response message"
            }
            completion(.success(reply))
        case .failure(let code, let message):
            completion(.failure(GatewayError(code, message)))
        case .cancelled:
            break
        }
    }

    // MARK: - The current attempt's stream

    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool, attempt: Int) {
        guard machine.openAttempt == attempt else { return }
        let block = headers.map { (name: $0.name, value: $0.value) }
        let httpStatus = block.first { $0.name == ":status" }.flatMap { Int($0.value) } ?? 0
        if httpStatus != 200 {
            reply.status = GRPCStatusFields.status(forHTTPStatus: httpStatus)
            reply.message = "backend answered HTTP \(httpStatus)"
            perform(receivedStatus(reply.status, attempt: attempt))
            return
        }
        if endStream, let (code, message) = GRPCStatusFields.status(in: block) {
            reply.status = code
            reply.message = message
            reply.trailers = block.filter { !$0.name.hasPrefix(":") }
            perform(receivedStatus(code, attempt: attempt))
        } else {
            reply.headers = block.filter { !$0.name.hasPrefix(":") }
            perform(machine.receivedResponseHeaders(attempt: attempt))
        }
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool, attempt: Int) {
        guard machine.openAttempt == attempt else { return }
        do {
            for message in try deframer.append(data) {
                machine.receivedResponseMessage(attempt: attempt, at: .now)
                if let onMessage {
                    machine.forwardedReplyToClient()
                    onMessage(message, reply.headers)
                    continue
                }
                guard reply.response == nil else {
                    perform(
                        machine.receivedInvalidResponse(
                            attempt: attempt,
                            GatewayError(.internalError, "backend sent more than one message for a unary call")))
                    return
                }
                reply.response = message
            }
        } catch {
            perform(
                machine.receivedInvalidResponse(
                    attempt: attempt, GatewayError(.internalError, "bad response from backend: \(error)")))
        }
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header], attempt: Int) {
        guard machine.openAttempt == attempt else { return }
        let block = trailers.map { (name: $0.name, value: $0.value) }
        reply.trailers = block
        if let (code, message) = GRPCStatusFields.status(in: block) {
            reply.status = code
            reply.message = message
        } else {
            reply.status = .internalError
            reply.message = "backend sent no grpc-status"
        }
        perform(receivedStatus(reply.status, attempt: attempt))
    }

    /// The request is one message, sent whole: nothing waits for the stream's send buffer.
    func sendBufferDrained(attempt: Int) {}

    func streamClosed(error: HTTP2Error?, attempt: Int) {
        if machine.openAttempt == attempt { stream = nil }
        let reason = error.map { "backend connection failed: \($0)" } ?? "backend stream ended without a status"
        perform(
            machine.streamClosed(
                attempt: attempt, neverProcessed: error?.requestNeverProcessed ?? false,
                connectionFailed: error?.isConnectionFailure ?? false, reason: reason))
    }

    private func receivedStatus(_ code: GRPCStatusCode, attempt: Int) -> UpstreamCallStateMachine.Action {
        let balancer = pool.backend.balancer
        return machine.receivedStatus(code, attempt: attempt, at: .now) { balancer.exchangeRetryPermit($0) }
    }
}

@available(*, unavailable)
extension UpstreamCall: Sendable {}
