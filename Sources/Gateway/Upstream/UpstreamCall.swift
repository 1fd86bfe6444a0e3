import Balancer
import NIOCore

/// One gRPC call to a backend on behalf of a JSON request: one stream on a pooled connection, one
/// request message, then the reply: gathered until the trailers for a unary method, or handed over
/// message by message for a server-streaming one.
///
/// A call that never reached a backend (refused stream, above a GOAWAY's last stream, connection lost
/// before sending) is tried again on another endpoint, up to `maxAttempts` in all and within the backend's
/// retry budget; so is a call the backend answered UNAVAILABLE when its `balancing.retryOn` says so. Each
/// attempt's outcome goes back to the balancer through its pick's ticket: the latency to the reply (to the
/// first message for a stream), an application error, or a gateway failure.
final class UpstreamCall: HTTP2ClientStreamDelegate {
    private static let maxAttempts = 3

    private let pool: UpstreamPool
    private let path: String
    private let metadata: [(name: String, value: String)]
    private let message: ByteBuffer
    private let deadline: NIODeadline
    private let eventLoop: any EventLoop
    private var completion: ((Result<UpstreamReply, GatewayError>) -> Void)?
    /// For a server-streaming call: receives each response message with the reply's header metadata.
    private var onMessage: ((ByteBuffer, _ headers: [(name: String, value: String)]) -> Void)?
    private var attempts = 0
    private var triedEndpoints: Set<EndpointAddress> = []
    /// The balancer's pick for the current attempt, until its outcome is reported.
    private var ticket: Pick.Ticket?
    private var attemptStarted = ContinuousClock.now
    private var firstMessageLatency: Duration?
    private var retryPermit: RetryPermit?
    private var stream: HTTP2ClientStream?
    private var deadlineTimer: Scheduled<Void>?
    private var deframer: GRPCMessageDeframer
    private var reply = UpstreamReply(status: .ok, message: "", headers: [], trailers: [], response: nil)
    private var receivedAnything = false
    /// The endpoint of the latest attempt, for the access log.
    private(set) var endpoint: EndpointAddress?

    /// - Parameters:
    ///   - message: The request message with its 5-byte gRPC prefix.
    ///   - maxResponseBytes: The largest response message accepted.
    init(
        pool: UpstreamPool, path: String, metadata: [(name: String, value: String)], message: ByteBuffer,
        deadline: NIODeadline, eventLoop: any EventLoop, maxResponseBytes: Int
    ) {
        self.pool = pool
        self.path = path
        self.metadata = metadata
        self.message = message
        self.deadline = deadline
        self.eventLoop = eventLoop
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
        deadlineTimer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.stream?.reset(errorCode: .cancel)
            self.report(.unavailable)
            self.finish(.failure(.deadlineExceeded))
        }
        attempt()
    }

    private func attempt() {
        attempts += 1
        pool.acquireConnection(deadline: deadline, excluding: triedEndpoints) { result in
            guard self.completion != nil else { return }
            switch result {
            case .failure(let error):
                self.finish(.failure(error))
            case .success(let (connection, pick)):
                self.triedEndpoints.insert(pick.endpoint)
                self.endpoint = pick.endpoint
                self.ticket = pick.ticket
                self.attemptStarted = .now
                self.send(on: connection, authority: pick.endpoint.description)
            }
        }
    }

    private func send(on connection: HTTP2ClientConnection, authority: String) {
        var headers = GRPCRequestHead.headers(path: path, authority: authority, reservingCapacity: 2 + metadata.count)
        headers.append(HTTP2Header(name: "content-type", value: "application/grpc"))
        headers.append(
            HTTP2Header(name: "grpc-timeout", value: GRPCTimeout.format(.nanoseconds((deadline - .now()).nanoseconds))))
        for (name, value) in metadata { headers.append(HTTP2Header(name: name, value: value)) }
        do {
            let stream = try connection.startStream(headers: headers, endStream: false, delegate: self)
            self.stream = stream
            stream.sendData(message, endStream: true)
        } catch {
            report(.unavailable)
            retryOrFinish(.failure(GatewayError(.unavailable, "cannot start a stream: \(error)")))
        }
    }

    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool) {
        receivedAnything = true
        let block = headers.map { (name: $0.name, value: $0.value) }
        let httpStatus = block.first { $0.name == ":status" }.flatMap { Int($0.value) } ?? 0
        if httpStatus != 200 {
            reply.status = GRPCStatusFields.status(forHTTPStatus: httpStatus)
            reply.message = "backend answered HTTP \(httpStatus)"
            return
        }
        if endStream, let (code, message) = GRPCStatusFields.status(in: block) {
            reply.status = code
            reply.message = message
            reply.trailers = block.filter { !$0.name.hasPrefix(":") }
        } else {
            reply.headers = block.filter { !$0.name.hasPrefix(":") }
        }
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool) {
        receivedAnything = true
        do {
            for message in try deframer.append(data) {
                if firstMessageLatency == nil { firstMessageLatency = .now - attemptStarted }
                if let onMessage {
                    onMessage(message, reply.headers)
                    continue
                }
                guard reply.response == nil else {
                    failCall(GatewayError(.internalError, "backend sent more than one message for a unary call"))
                    return
                }
                reply.response = message
            }
        } catch {
            failCall(GatewayError(.internalError, "bad response from backend: \(error)"))
        }
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header]) {
        let block = trailers.map { (name: $0.name, value: $0.value) }
        reply.trailers = block
        if reply.status == .ok {
            if let (code, message) = GRPCStatusFields.status(in: block) {
                reply.status = code
                reply.message = message
            } else {
                reply.status = .internalError
                reply.message = "backend sent no grpc-status"
            }
        }
    }

    func streamClosed(error: HTTP2Error?) {
        stream = nil
        guard completion != nil else { return }
        if let error {
            report(.unavailable)
            if error.requestNeverProcessed && !receivedAnything {
                retryOrFinish(.failure(GatewayError(.unavailable, "backend refused the call: \(error)")))
            } else {
                finish(.failure(GatewayError(.unavailable, "backend connection failed: \(error)")))
            }
            return
        }
        let latency = firstMessageLatency ?? (.now - attemptStarted)
        switch reply.status {
        case .ok: report(.success(latency: latency))
        case .unavailable: report(.unavailable)
        default: report(.otherError(latency: latency))
        }
        // An UNAVAILABLE reply is retried when the backend opts in, unless messages already went to the client.
        if reply.status == .unavailable && pool.backend.config.balancing.retryUnavailable
            && (onMessage == nil || firstMessageLatency == nil)
        {
            retryOrFinish(.success(reply))
            return
        }
        if reply.status == .ok && reply.response == nil && onMessage == nil {
            reply.status = .internalError
            reply.message = "backend sent no response message"
        }
        finish(.success(reply))
    }

    /// Makes another attempt if attempts remain and the retry budget allows it; otherwise ends the call with
    /// `result`.
    private func retryOrFinish(_ result: Result<UpstreamReply, GatewayError>) {
        let balancer = pool.backend.balancer
        if let permit = retryPermit {
            balancer.release(permit)
            retryPermit = nil
        }
        guard attempts < Self.maxAttempts, let permit = balancer.tryAcquireRetry() else {
            finish(result)
            return
        }
        retryPermit = permit
        pool.backend.metrics.recordRetry()
        receivedAnything = false
        firstMessageLatency = nil
        reply = UpstreamReply(status: .ok, message: "", headers: [], trailers: [], response: nil)
        attempt()
    }

    private func failCall(_ error: GatewayError) {
        stream?.reset(errorCode: .cancel)
        report(.unavailable)
        finish(.failure(error))
    }

    /// Tells the balancer how the current attempt went; only the first report of an attempt counts.
    private func report(_ outcome: RequestOutcome) {
        guard let ticket else { return }
        self.ticket = nil
        pool.backend.balancer.complete(ticket, outcome: outcome)
    }

    private func finish(_ result: Result<UpstreamReply, GatewayError>) {
        deadlineTimer?.cancel()
        if let permit = retryPermit {
            pool.backend.balancer.release(permit)
            retryPermit = nil
        }
        onMessage = nil
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }
}

@available(*, unavailable)
extension UpstreamCall: Sendable {}
