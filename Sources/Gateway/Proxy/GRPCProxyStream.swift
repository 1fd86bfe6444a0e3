import Balancer
import NIOCore

/// One native gRPC call proxied as it is: the client's stream on the gateway's h2c face is joined to a
/// stream on a pooled backend connection, and frames flow both ways until either side ends.
///
/// Both streams live on the same event loop. Request data that arrives before the backend stream is
/// open is held and sent once it is. When the backend opts in (`balancing.retryOn: [unavailable]`), a
/// call whose whole request is known (up to 1 MiB) and that a pod refuses with a trailers-only UNAVAILABLE
/// is sent again to another pod, within the retry budget, before anything reaches the client.
final class GRPCProxyStream: HTTP2ClientStreamDelegate {
    /// The most request bytes kept for a retry.
    private static let maxReplayBytes = 1 << 20
    private static let maxAttempts = 3

    private let client: HTTP2ServerStream
    private let pool: UpstreamPool
    private let headers: [(name: String, value: String)]
    private let path: String
    private var upstream: HTTP2ClientStream?
    private var held: [(ByteBuffer, endStream: Bool)] = []
    private var sentResponseHeaders = false
    private var finished = false
    private var deadlineTimer: Scheduled<Void>?
    /// The balancer's pick, until the call's outcome is reported.
    private var ticket: Pick.Ticket?
    private var opened = ContinuousClock.now
    private var firstResponseLatency: Duration?
    private let record: RequestRecord
    /// Every request frame sent so far, for a retry; nil once it outgrew `maxReplayBytes`.
    private var replay: [(ByteBuffer, endStream: Bool)]? = []
    private var replayBytes = 0
    private var requestComplete = false
    private var attempts = 1
    private var triedEndpoints: Set<EndpointAddress> = []
    private var retryPermit: RetryPermit?
    /// Set when a refused attempt is retried: the refused stream's close is still to come and must be ignored.
    private var ignoreNextClose = false
    private var timeout: Duration = .zero
    private var deadline = NIODeadline.now()

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
        self.pool = pool
        self.path = path
        self.headers = headers
    }

    /// Finds a backend connection and opens the upstream stream; the call ends with UNAVAILABLE if none
    /// can be had and with DEADLINE_EXCEEDED when its deadline passes.
    func start() {
        let timeout = headers.first { $0.name == "grpc-timeout" }.flatMap { GRPCTimeout.parse($0.value) }
            ?? pool.backend.config.timeout
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        self.timeout = timeout
        self.deadline = deadline
        deadlineTimer = client.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.upstream?.reset(errorCode: .cancel)
            self.report(.unavailable)
            self.failCall(.deadlineExceeded, message: "deadline exceeded")
        }
        attempt()
    }

    private func attempt() {
        let timeout = self.timeout
        pool.acquireConnection(deadline: deadline, excluding: triedEndpoints) { result in
            guard !self.finished else { return }
            switch result {
            case .failure(let error):
                self.failCall(error.code, message: error.message)
            case .success(let (connection, pick)):
                self.triedEndpoints.insert(pick.endpoint)
                self.ticket = pick.ticket
                self.record.endpoint = pick.endpoint
                self.opened = .now
                self.open(on: connection, authority: pick.endpoint.description, timeout: timeout)
            }
        }
    }

    private func open(on connection: HTTP2ClientConnection, authority: String, timeout: Duration) {
        let forwarded = RequestMetadata.forGRPCRequest(headers: headers)
        var block = GRPCRequestHead.headers(path: path, authority: authority, reservingCapacity: forwarded.count + 1)
        for (name, value) in forwarded {
            block.append(HTTP2Header(name: name, value: value))
        }
        if !headers.contains(where: { $0.name == "grpc-timeout" }) {
            block.append(HTTP2Header(name: "grpc-timeout", value: GRPCTimeout.format(timeout)))
        }
        do {
            let stream = try connection.startStream(headers: block, endStream: false, delegate: self)
            upstream = stream
            for (data, endStream) in held { stream.sendData(data, endStream: endStream) }
            held.removeAll()
        } catch {
            report(.unavailable)
            failCall(.unavailable, message: "cannot open a stream to the backend: \(error)")
        }
    }

    /// Forwards request data from the client.
    func clientSent(_ data: ByteBuffer, endStream: Bool) {
        guard !finished else { return }
        if endStream { requestComplete = true }
        if replay != nil {
            replayBytes += data.readableBytes
            if replayBytes <= Self.maxReplayBytes { replay?.append((data, endStream)) } else { replay = nil }
        }
        if let upstream {
            upstream.sendData(data, endStream: endStream)
        } else {
            held.append((data, endStream))
        }
    }

    /// The client's stream ended early (reset or connection lost): the backend call is cancelled.
    func clientClosed() {
        guard !finished else { return }
        finished = true
        deadlineTimer?.cancel()
        upstream?.reset(errorCode: .cancel)
        report(.cancelled)
        record.finish(httpStatus: nil, code: .cancelled)
    }

    func responseHeadersReceived(_ headers: [HTTP2Header], endStream: Bool) {
        guard !finished else { return }
        if endStream && retryRefusal(headers) { return }
        sentResponseHeaders = true
        client.sendResponseHeaders(headers, endStream: endStream)
        if endStream {
            reportStatus(in: headers)
            complete()
        }
    }

    func responseDataReceived(_ data: ByteBuffer, endStream: Bool) {
        guard !finished else { return }
        if firstResponseLatency == nil && data.readableBytes > 0 { firstResponseLatency = .now - opened }
        client.sendData(data, endStream: endStream)
        if endStream { complete() }
    }

    func responseTrailersReceived(_ trailers: [HTTP2Header]) {
        guard !finished else { return }
        client.sendTrailers(trailers)
        reportStatus(in: trailers)
        complete()
    }

    func streamClosed(error: HTTP2Error?) {
        if ignoreNextClose {
            ignoreNextClose = false
            return
        }
        upstream = nil
        guard !finished else { return }
        report(.unavailable)
        failCall(.unavailable, message: error.map { "backend stream failed: \($0)" } ?? "backend stream ended without a status")
    }

    /// Sends the call to another pod if this trailers-only reply is an UNAVAILABLE the backend lets the
    /// gateway retry, the whole request is known, and the retry budget allows it.
    ///
    /// - Returns: Whether the call is being retried (the reply is then not forwarded).
    private func retryRefusal(_ block: [HTTP2Header]) -> Bool {
        let status = block.first { $0.name == "grpc-status" }.flatMap { Int($0.value) }
        let balancer = pool.backend.balancer
        guard status == GRPCStatusCode.unavailable.rawValue, pool.backend.config.balancing.retryUnavailable,
            requestComplete, let replay, attempts < Self.maxAttempts
        else { return false }
        if let permit = retryPermit { balancer.release(permit) }
        retryPermit = balancer.tryAcquireRetry()
        guard retryPermit != nil else { return false }
        report(.unavailable)
        attempts += 1
        ignoreNextClose = true
        upstream = nil
        held = replay
        attempt()
        return true
    }

    /// Reports the call's gRPC status to the balancer: OK as a latency sample (to the first response
    /// message), UNAVAILABLE as a gateway failure, anything else as an application error.
    private func reportStatus(in block: [HTTP2Header]) {
        let latency = firstResponseLatency ?? (.now - opened)
        let status = block.first { $0.name == "grpc-status" }.flatMap { Int($0.value) }
        record.finish(httpStatus: nil, code: GRPCStatusCode(rawValue: status ?? GRPCStatusCode.unknown.rawValue))
        switch status {
        case GRPCStatusCode.ok.rawValue: report(.success(latency: latency))
        case GRPCStatusCode.unavailable.rawValue: report(.unavailable)
        default: report(.otherError(latency: latency))
        }
    }

    private func report(_ outcome: RequestOutcome) {
        guard let ticket else { return }
        self.ticket = nil
        pool.backend.balancer.complete(ticket, outcome: outcome)
    }

    private func complete() {
        finished = true
        deadlineTimer?.cancel()
        if let permit = retryPermit {
            pool.backend.balancer.release(permit)
            retryPermit = nil
        }
    }

    /// Ends the client's call with a gRPC status: as trailers if the reply has begun, otherwise as a
    /// trailers-only response.
    private func failCall(_ code: GRPCStatusCode, message: String) {
        guard !finished else { return }
        complete()
        record.finish(httpStatus: nil, code: code)
        let status = [
            HTTP2Header(name: "grpc-status", value: String(code.rawValue)),
            HTTP2Header(name: "grpc-message", value: GRPCStatusFields.percentEncoded(message)),
        ]
        if sentResponseHeaders {
            client.sendTrailers(status)
        } else {
            client.sendResponseHeaders(
                [HTTP2Header(name: ":status", value: "200"), HTTP2Header(name: "content-type", value: "application/grpc")]
                    + status,
                endStream: true)
        }
    }
}

@available(*, unavailable)
extension GRPCProxyStream: Sendable {}
