import Balancer
import NIOCore

/// One native gRPC call proxied as it is: the client's stream on the gateway's h2c face is joined to a
/// stream on a pooled backend connection, and frames flow both ways until either side ends.
///
/// Both streams live on the same event loop. Which pod, when to try again, the deadline and what the balancer
/// learns are the ``UpstreamCallDriver``'s; this class moves the frames.
///
/// Back-pressure, both ways: when the stream a frame was forwarded to holds more than its send buffer's
/// high-water mark (`streamBufferBytes`), the stream it came from is paused, and resumed when that buffer has
/// drained; request data that arrives before the backend stream is open is held, and the client's stream
/// paused, until it is. So each direction holds at most the high-water mark plus one stream window. Every
/// request frame is also kept, up to 1 MiB, so that a call that never reached its pod, or one a pod refused with a
/// trailers-only UNAVAILABLE when the backend opts in (`balancing.retryOn: [unavailable]`), can be sent
/// again to another pod before anything reaches the client.
final class GRPCProxyStream: UpstreamExchange {
    /// The most request bytes kept for a retry.
    private static let maxReplayBytes = 1 << 20

    private let client: HTTP2ServerStream
    private let driver: UpstreamCallDriver
    private let headers: [(name: String, value: String)]
    private let path: String
    private let record: RequestRecord
    private var held: [(ByteBuffer, endStream: Bool)] = []
    private var sentResponseHeaders = false
    /// Every request frame sent so far, for a retry; emptied once it outgrew `maxReplayBytes`.
    private var replay: [(ByteBuffer, endStream: Bool)] = []
    private var replayBytes = 0
    private let timeout: Duration

    /// - Parameters:
    ///   - client: The client's stream.
    ///   - pool: This loop's connections to the backend serving the call's service.
    ///   - path: The gRPC method path, `/package.Service/Method`.
    ///   - headers: The client's request headers, pseudo-headers included.
    ///   - record: Where the call's metrics and access line go.
    init(
        client: HTTP2ServerStream, pool: UpstreamPool, path: String, headers: [(name: String, value: String)],
        record: RequestRecord
    ) {
        self.client = client
        self.record = record
        self.path = path
        self.headers = headers
        let clientTimeout = headers.first { $0.name == "grpc-timeout" }.flatMap { GRPCTimeout.parse($0.value) }
        self.timeout = clientTimeout ?? pool.backend.config.timeout
        self.driver = UpstreamCallDriver(
            pool: pool, deadlineIsClients: clientTimeout != nil, requestReplay: .kept(complete: false))
    }

    /// Finds a backend connection and opens the upstream stream; the call ends with UNAVAILABLE if none
    /// can be had and with DEADLINE_EXCEEDED when its deadline passes.
    func start() {
        driver.start(self, deadline: .now() + .nanoseconds(timeout.nanoseconds))
    }

    /// Forwards request data from the client.
    func clientSent(_ data: ByteBuffer, endStream: Bool) {
        guard !driver.machine.isFinished else { return }
        if endStream { driver.machine.requestEnded() }
        if driver.machine.requestReplay != .lost {
            replayBytes += data.readableBytes
            if replayBytes <= Self.maxReplayBytes {
                replay.append((data, endStream))
            } else {
                replay.removeAll()
                driver.machine.requestOutgrewReplay()
            }
        }
        if let upstream = driver.stream {
            upstream.sendData(data, endStream: endStream)
            if !upstream.isWritable { client.pauseReceiving() }
        } else {
            held.append((data, endStream))
            client.pauseReceiving()
        }
    }

    /// The client's stream has room for more of the reply again.
    func clientSendBufferDrained() {
        driver.stream?.resumeReceiving()
    }

    /// The client's stream ended early (reset or connection lost): the backend call is cancelled.
    func clientClosed() {
        driver.perform(driver.machine.clientCancelled())
    }

    // MARK: - What the driver asks of the call

    func openStream(on connection: HTTP2ClientConnection, to endpoint: EndpointAddress, attempt: Int) throws
        -> HTTP2ClientStream
    {
        record.endpoint = endpoint
        let forwarded = RequestMetadata.forGRPCRequest(headers: headers)
        var block = GRPCRequestHead.headers(
            path: path, authority: endpoint.description, reservingCapacity: forwarded.count + 1)
        for (name, value) in forwarded {
            block.append(HTTP2Header(name: name, value: value))
        }
        if !headers.contains(where: { $0.name == "grpc-timeout" }) {
            block.append(HTTP2Header(name: "grpc-timeout", value: GRPCTimeout.format(timeout)))
        }
        let stream = try connection.startStream(
            headers: block, endStream: false, delegate: UpstreamAttemptDelegate(attempt: attempt, listener: self))
        for (data, endStream) in held { stream.sendData(data, endStream: endStream) }
        held.removeAll()
        if stream.isWritable { client.resumeReceiving() }
        return stream
    }

    func attemptAbandoned() {
        held = replay
        client.pauseReceiving()
    }

    func callEnded(_ end: UpstreamCallStateMachine.CallEnd) {
        held.removeAll()
        replay.removeAll()
        finish(end)
    }

    /// Ends the client's call: the backend's status was forwarded already; a failure goes out as trailers if
    /// the reply has begun, otherwise as a trailers-only response.
    private func finish(_ end: UpstreamCallStateMachine.CallEnd) {
        switch end {
        case .status(let code):
            record.finish(httpStatus: nil, code: code)
        case .cancelled:
            record.finish(httpStatus: nil, code: .cancelled)
        case .failure(let code, let message):
            record.finish(httpStatus: nil, code: code)
            let status = [
                HTTP2Header(name: "grpc-status", value: String(code.rawValue)),
                HTTP2Header(name: "grpc-message", value: GRPCStatusFields.percentEncoded(message)),
            ]
            if sentResponseHeaders {
                client.sendTrailers(status)
            } else {
                client.sendResponseHeaders(
                    [
                        HTTP2Header(name: ":status", value: "200"),
                        HTTP2Header(name: "content-type", value: "application/grpc"),
                    ] + status,
                    endStream: true)
            }
        }
    }

    // MARK: - The current attempt's stream

    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool, attempt: Int) {
        guard driver.machine.openAttempt == attempt else { return }
        guard endStream else {
            driver.perform(driver.machine.receivedResponseHeaders(attempt: attempt))
            forwardResponseHeaders(headers, endStream: false)
            return
        }
        // Trailers-only: the call's status, which may be retried before it is forwarded.
        let action = receivedStatus(in: headers, attempt: attempt)
        if case .finish(_, _, _, .status) = action {
            forwardResponseHeaders(headers, endStream: true)
        }
        driver.perform(action)
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool, attempt: Int) {
        guard driver.machine.openAttempt == attempt else { return }
        if data.readableBytes > 0 { driver.machine.receivedResponseMessage(attempt: attempt, at: .now) }
        client.sendData(data, endStream: endStream)
        if !client.isWritable { driver.stream?.pauseReceiving() }
        if endStream {
            // A reply that ends with DATA carries no grpc-status: the client learns that from its own library.
            driver.perform(driver.machine.receivedStatus(.unknown, attempt: attempt, at: .now) { _ in nil })
        }
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header], attempt: Int) {
        guard driver.machine.openAttempt == attempt else { return }
        let action = receivedStatus(in: trailers, attempt: attempt)
        if case .finish(_, _, _, .status) = action {
            client.sendTrailers(trailers)
        }
        driver.perform(action)
    }

    /// The backend stream has room for more of the request again.
    func sendBufferDrained(attempt: Int) {
        guard driver.machine.openAttempt == attempt else { return }
        client.resumeReceiving()
    }

    func streamClosed(error: HTTP2Error?, attempt: Int) {
        driver.streamClosed(error: error, attempt: attempt)
    }

    private func forwardResponseHeaders(_ headers: [HTTP2Header], endStream: Bool) {
        sentResponseHeaders = true
        driver.machine.forwardedReplyToClient()
        client.sendResponseHeaders(headers, endStream: endStream)
    }

    private func receivedStatus(in block: [HTTP2Header], attempt: Int) -> UpstreamCallStateMachine.Action {
        let status = block.first { $0.name == "grpc-status" }.flatMap { Int($0.value) }
        return driver.receivedStatus(
            GRPCStatusCode(rawValue: status ?? GRPCStatusCode.unknown.rawValue), attempt: attempt)
    }
}

@available(*, unavailable)
extension GRPCProxyStream: Sendable {}
