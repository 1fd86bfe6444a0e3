import Balancer
import NIOCore

/// One gRPC call to a backend on behalf of a JSON request: one stream on a pooled connection, one
/// request message, then the reply: gathered until the trailers for a unary method, or handed over
/// message by message for a server-streaming one.
///
/// Which pod, when to try again, the deadline and what the balancer learns are the ``UpstreamCallDriver``'s;
/// this class writes the request and reads the reply's bytes.
final class UpstreamCall: UpstreamExchange {
    private let driver: UpstreamCallDriver
    private let path: String
    private let metadata: [(name: String, value: String)]
    private let message: ByteBuffer
    private let deadline: NIODeadline
    private let maxResponseBytes: Int
    private var completion: ((Result<UpstreamReply, GatewayError>) -> Void)?
    /// For a server-streaming call: receives each response message with the reply's header metadata.
    private var onMessage: ((ByteBuffer, _ headers: [(name: String, value: String)]) -> Void)?
    private var deframer: GRPCMessageDeframer
    private var reply = UpstreamReply(status: .ok, message: "", headers: [], trailers: [], response: nil)
    /// The client takes the streamed reply slower than it comes: the backend stream's window is held.
    private var repliesPaused = false

    /// The endpoint of the latest attempt, for the access log.
    var endpoint: EndpointAddress? { driver.endpoint }

    /// - Parameters:
    ///   - message: The request message with its 5-byte gRPC prefix.
    ///   - deadlineIsClients: The deadline came from the client's `grpc-timeout` (missing it is the
    ///     client's doing, not the pod's).
    ///   - maxResponseBytes: The largest response message accepted.
    init(
        pool: UpstreamPool, path: String, metadata: [(name: String, value: String)], message: ByteBuffer,
        deadline: NIODeadline, deadlineIsClients: Bool, maxResponseBytes: Int
    ) {
        self.driver = UpstreamCallDriver(
            pool: pool, deadlineIsClients: deadlineIsClients, requestReplay: .kept(complete: true))
        self.path = path
        self.metadata = metadata
        self.message = message
        self.deadline = deadline
        self.maxResponseBytes = maxResponseBytes
        self.deframer = GRPCMessageDeframer(maxMessageBytes: maxResponseBytes)
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
        driver.start(self, deadline: deadline)
    }

    /// The client went away: the call is cancelled and nothing more is reported.
    func cancel() {
        driver.perform(driver.machine.clientCancelled())
    }

    /// Stops taking reply messages from the backend until `resumeReplies()`: the pod can send at most one
    /// more stream window, which is still delivered.
    func pauseReplies() {
        repliesPaused = true
        driver.stream?.pauseReceiving()
    }

    /// Takes reply messages again after `pauseReplies()`.
    func resumeReplies() {
        repliesPaused = false
        driver.stream?.resumeReceiving()
    }

    // MARK: - What the driver asks of the call

    func openStream(on connection: HTTP2ClientConnection, to endpoint: EndpointAddress, attempt: Int) throws
        -> HTTP2ClientStream
    {
        var headers = GRPCRequestHead.headers(
            path: path, authority: endpoint.description, reservingCapacity: 2 + metadata.count)
        headers.append(HTTP2Header(name: "content-type", value: "application/grpc"))
        headers.append(
            HTTP2Header(name: "grpc-timeout", value: GRPCTimeout.format(.nanoseconds((deadline - .now()).nanoseconds))))
        for (name, value) in metadata { headers.append(HTTP2Header(name: name, value: value)) }
        let stream = try connection.startStream(
            headers: headers, endStream: false, delegate: UpstreamAttemptDelegate(attempt: attempt, listener: self))
        if repliesPaused { stream.pauseReceiving() }
        stream.sendData(message, endStream: true)
        return stream
    }

    func attemptAbandoned() {
        deframer = GRPCMessageDeframer(maxMessageBytes: maxResponseBytes)
        reply = UpstreamReply(status: .ok, message: "", headers: [], trailers: [], response: nil)
    }

    func callEnded(_ end: UpstreamCallStateMachine.CallEnd) {
        finish(end)
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
        guard driver.machine.openAttempt == attempt else { return }
        let block = headers.map { (name: $0.name, value: $0.value) }
        let httpStatus = block.first { $0.name == ":status" }.flatMap { Int($0.value) } ?? 0
        if httpStatus != 200 {
            reply.status = GRPCStatusFields.status(forHTTPStatus: httpStatus)
            reply.message = "backend answered HTTP \(httpStatus)"
            driver.perform(driver.receivedStatus(reply.status, attempt: attempt))
            return
        }
        if endStream, let (code, message) = GRPCStatusFields.status(in: block) {
            reply.status = code
            reply.message = message
            reply.trailers = block.filter { !$0.name.hasPrefix(":") }
            driver.perform(driver.receivedStatus(code, attempt: attempt))
        } else {
            reply.headers = block.filter { !$0.name.hasPrefix(":") }
            driver.perform(driver.machine.receivedResponseHeaders(attempt: attempt))
        }
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool, attempt: Int) {
        guard driver.machine.openAttempt == attempt else { return }
        do {
            for message in try deframer.append(data) {
                driver.machine.receivedResponseMessage(attempt: attempt, at: .now)
                if let onMessage {
                    driver.machine.forwardedReplyToClient()
                    onMessage(message, reply.headers)
                    continue
                }
                guard reply.response == nil else {
                    driver.perform(
                        driver.machine.receivedInvalidResponse(
                            attempt: attempt,
                            GatewayError(.internalError, "backend sent more than one message for a unary call")))
                    return
                }
                reply.response = message
            }
        } catch {
            driver.perform(
                driver.machine.receivedInvalidResponse(
                    attempt: attempt, GatewayError(.internalError, "bad response from backend: \(error)")))
        }
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header], attempt: Int) {
        guard driver.machine.openAttempt == attempt else { return }
        let block = trailers.map { (name: $0.name, value: $0.value) }
        reply.trailers = block
        if let (code, message) = GRPCStatusFields.status(in: block) {
            reply.status = code
            reply.message = message
        } else {
            reply.status = .internalError
            reply.message = "backend sent no grpc-status"
        }
        driver.perform(driver.receivedStatus(reply.status, attempt: attempt))
    }

    /// The request is one message, sent whole: nothing waits for the stream's send buffer.
    func sendBufferDrained(attempt: Int) {}

    func streamClosed(error: HTTP2Error?, attempt: Int) {
        driver.streamClosed(error: error, attempt: attempt)
    }
}

@available(*, unavailable)
extension UpstreamCall: Sendable {}
