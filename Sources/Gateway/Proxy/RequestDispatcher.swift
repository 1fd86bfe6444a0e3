import Balancer
import Logging
import NIOCore

/// Serves the JSON requests of every client connection on one event loop: routes, transcodes, calls the
/// backend on this loop's upstream pools and writes the JSON reply.
final class RequestDispatcher {
    /// The route table and backends new requests are served with; a reload replaces it.
    private(set) var runtime: GatewayRuntime
    let eventLoop: any EventLoop
    private let metrics: GatewayMetrics
    private let http2: HTTP2Configuration
    private let logger: Logger
    private let allocator = ByteBufferAllocator()
    /// This loop's connections to each backend of the current runtime, by backend name.
    private(set) var pools: [String: UpstreamPool]
    /// The deadlines of every backend call, and every request-body timeout, on this loop.
    let deadlines: CallDeadlines

    init(runtime: GatewayRuntime, eventLoop: any EventLoop, http2: HTTP2Configuration, metrics: GatewayMetrics, logger: Logger) {
        self.runtime = runtime
        self.eventLoop = eventLoop
        self.metrics = metrics
        self.http2 = http2
        self.logger = logger
        self.deadlines = CallDeadlines(eventLoop: eventLoop)
        self.pools = Self.makePools(
            runtime: runtime, keeping: [:], eventLoop: eventLoop, http2: http2, deadlines: deadlines, logger: logger)
    }

    /// Opens this loop's connections to the endpoints each backend knows so far (called once the gateway's
    /// listeners are bound, so that nothing is logged before a bind failure).
    func openConnections() {
        for pool in pools.values { pool.update(endpoints: pool.backend.balancer.endpoints) }
    }

    /// The pools of `runtime`'s backends: those of `kept` whose backend is still the same, and new ones.
    private static func makePools(
        runtime: GatewayRuntime, keeping kept: [String: UpstreamPool], eventLoop: any EventLoop,
        http2: HTTP2Configuration, deadlines: CallDeadlines, logger: Logger
    ) -> [String: UpstreamPool] {
        var pools: [String: UpstreamPool] = [:]
        for backend in runtime.backends {
            if let pool = kept[backend.name], pool.backend === backend {
                pools[backend.name] = pool
                continue
            }
            var configuration = http2
            configuration.connectTimeout = .nanoseconds(backend.config.connectTimeout.nanoseconds)
            configuration.handshakeTimeout = configuration.connectTimeout
            pools[backend.name] = UpstreamPool(
                backend: backend, eventLoop: eventLoop, configuration: configuration, deadlines: deadlines, logger: logger)
        }
        return pools
    }

    /// Serves new requests with `runtime` (after a reload or a schema change). Requests in flight finish on the
    /// old one. The pools of backends the new runtime keeps stay as they are; the others' connections close once
    /// their streams are done.
    func install(_ runtime: GatewayRuntime) {
        let old = pools
        self.runtime = runtime
        pools = Self.makePools(
            runtime: runtime, keeping: old, eventLoop: eventLoop, http2: http2, deadlines: deadlines, logger: logger)
        for (name, pool) in pools where old[name] !== pool {
            pool.update(endpoints: pool.backend.balancer.endpoints)
        }
        for (name, pool) in old where pools[name] !== pool { pool.shutDown() }
    }

    /// Closes this loop's connections to every backend once their streams are done.
    func shutDown() {
        for pool in pools.values { pool.shutDown() }
    }

    /// The record of a request, with the access log when the config asks for it.
    func record(route: RouteMetrics?, method: MethodMetrics?, httpMethod: String, routeName: String) -> RequestRecord {
        RequestRecord(
            route: route, method: method, accessLog: runtime.config.accessLog ? logger : nil, httpMethod: httpMethod,
            routeName: routeName)
    }

    /// Answers one JSON request through `writer`, exactly once, unless it is cancelled first.
    ///
    /// - Returns: What to call if the client goes away before the reply is complete: it cancels the backend
    ///   call (whose pick and retry permit are then settled as cancelled) and records the request as 499.
    ///   Nil when the request was answered at once.
    @discardableResult
    func handle(_ request: GatewayRequest, writer: any ResponseWriter) -> (() -> Void)? {
        switch runtime.routes.match(method: request.method, path: request.path) {
        case .matched(let target, let variables):
            let route = target.metrics
            let writer = RecordingResponseWriter(
                writer, record: record(route: route, method: route.method, httpMethod: route.httpMethod, routeName: route.route))
            guard let call = call(target, variables: variables, request: request, writer: writer) else { return nil }
            return {
                call.cancel()
                writer.code = .cancelled
                writer.record.finish(httpStatus: Self.clientClosedRequest, code: .cancelled)
            }
        case .methodNotAllowed(let allowed):
            refuse(GatewayError(
                    .unimplemented, "method \(request.method) is not allowed for \(request.path)", httpStatus: 405,
                    headers: [("allow", allowed.joined(separator: ", "))]), unmatched(request, writer))
        case .notFound:
            refuse(GatewayError(.notFound, "no route for \(request.method) \(request.path)"), unmatched(request, writer))
        case .invalidPath(let reason):
            refuse(GatewayError(.invalidArgument, "invalid path: \(reason)"), unmatched(request, writer))
        }
        return nil
    }

    /// The status recorded for a request whose client went away first (nginx's 499).
    static let clientClosedRequest = 499

    private func unmatched(_ request: GatewayRequest, _ writer: any ResponseWriter) -> RecordingResponseWriter {
        let route = metrics.unmatchedRoute(httpMethod: request.method)
        return RecordingResponseWriter(
            writer, record: record(route: route, method: nil, httpMethod: route.httpMethod, routeName: route.route))
    }

    /// Starts the backend call of a matched request; nil when the request was refused at once.
    private func call(
        _ target: RouteTarget, variables: [PathVariable], request: GatewayRequest, writer: RecordingResponseWriter
    ) -> UpstreamCall? {
        if target.method.isClientStreaming {
            refuse(GatewayError(.unimplemented, "\(target.method.fullName) is a client-streaming method: call it over gRPC"), writer)
            return nil
        }
        var timeout = target.backend.config.timeout
        if let header = request.header("grpc-timeout") {
            guard let parsed = GRPCTimeout.parse(header) else {
                refuse(GatewayError(.invalidArgument, "invalid grpc-timeout: \(header)"), writer)
                return nil
            }
            timeout = parsed
        }
        var message: [UInt8] = [0, 0, 0, 0, 0]
        do {
            try request.body.withUnsafeReadableBytes { body throws(TranscodingError) in
                try target.requestTranscoder.encodeRequest(
                    body: body, pathVariables: variables.map { (fieldPath: $0.fieldPath, value: $0.value) },
                    query: request.query, contentType: request.header("content-type"), into: &message)
            }
        } catch {
            refuse(GatewayError(.invalidArgument, error.description), writer)
            return nil
        }
        let length = UInt32(message.count - 5)
        message[1] = UInt8(truncatingIfNeeded: length >> 24)
        message[2] = UInt8(truncatingIfNeeded: length >> 16)
        message[3] = UInt8(truncatingIfNeeded: length >> 8)
        message[4] = UInt8(truncatingIfNeeded: length)
        let call = UpstreamCall(
            pool: pools[target.backend.name]!, path: target.method.grpcPath,
            metadata: RequestMetadata.forJSONRequest(headers: request.headers, clientAddress: request.clientAddress),
            message: allocator.buffer(bytes: message), deadline: .now() + .nanoseconds(timeout.nanoseconds),
            deadlineIsClients: request.header("grpc-timeout") != nil,
            maxResponseBytes: runtime.config.limits.maxResponseBytes)
        if target.method.isServerStreaming {
            stream(call, target: target, writer: writer)
        } else {
            call.start { result in
                writer.record.endpoint = call.endpoint
                self.reply(result, target: target, writer: writer)
            }
        }
        return call
    }

    /// Streams a server-streaming method's replies as grpc-gateway does: one `{"result": message}` line per
    /// message, and a failure after the first message as a last `{"error": status}` line. A failure before
    /// any message is an ordinary error reply. While the client reads slower than the messages come, the
    /// backend stream is paused.
    private func stream(_ call: UpstreamCall, target: RouteTarget, writer: RecordingResponseWriter) {
        var started = false
        var failed = false
        call.start(
            onMessage: { message, headers in
                guard !failed else { return }
                let chunk: (contentType: String, body: ByteBuffer)
                do {
                    chunk = try self.replyBody(message, target: target, streamed: true)
                } catch {
                    failed = true
                    let failure = GatewayError(.internalError, "cannot transcode the backend's reply: \(error)")
                    if started {
                        self.endStream(writer, with: failure, target: target)
                    } else {
                        self.refuse(failure, writer)
                    }
                    return
                }
                if !started {
                    started = true
                    var head: [(name: String, value: String)] = [("content-type", chunk.contentType)]
                    head.append(contentsOf: RequestMetadata.responseHeaders(headers: headers, trailers: []))
                    writer.startStreamingResponse(status: 200, headers: head)
                }
                writer.writeBodyChunk(chunk.body)
                if !writer.isWritable {
                    call.pauseReplies()
                    writer.whenWritable { call.resumeReplies() }
                }
            },
            completion: { result in
                writer.record.endpoint = call.endpoint
                guard !failed else { return }
                let failure: GatewayError? =
                    switch result {
                    case .failure(let error): error
                    case .success(let reply) where reply.status != .ok: self.backendError(reply, target: target)
                    case .success: nil
                    }
                if !started {
                    if let failure {
                        self.refuse(failure, writer)
                    } else {
                        let contentType =
                            target.responseTranscoder.repliesWithHTTPBody ? Self.defaultHTTPBodyType : "application/json"
                        writer.startStreamingResponse(status: 200, headers: [("content-type", contentType)])
                        writer.endStreamingResponse()
                    }
                } else if let failure {
                    self.endStream(writer, with: failure, target: target)
                } else {
                    writer.endStreamingResponse()
                }
            })
    }

    /// Answers with `error` and logs it (see `logRefusal`).
    private func refuse(_ error: GatewayError, _ writer: RecordingResponseWriter, fromBackend: Bool = false) {
        logRefusal(error, fromBackend: fromBackend)
        writer.code = error.code
        writer.writeError(error, allocator: allocator)
    }

    /// Logs a refused request: client mistakes at info level, failures to reach or use a backend as warnings,
    /// errors a backend returned at debug level. The client handlers log their own refusals (limits, timeouts,
    /// malformed requests) here too.
    func logRefusal(_ error: GatewayError, fromBackend: Bool = false) {
        let level: Logger.Level = fromBackend ? .debug : error.httpStatus >= 500 ? .warning : .info
        logger.log(level: level, "request refused", metadata: [
            "status": "\(error.httpStatus)", "grpc_code": "\(error.code)", "error": "\(error.message)",
        ])
    }

    /// The error for a call the backend ended with a status other than OK: its code and message, and the
    /// details of its `grpc-status-details-bin` (a detail that cannot be printed is logged and left out).
    private func backendError(_ reply: UpstreamReply, target: RouteTarget) -> GatewayError {
        var error = GatewayError(reply.status, reply.message)
        let details = (reply.trailers + reply.headers).first { $0.name == "grpc-status-details-bin" }
        if let details {
            do {
                error.details = try target.responseTranscoder.encodeStatusDetails(base64: details.value)
            } catch {
                logger.warning(
                    "cannot print the backend's grpc-status-details-bin",
                    metadata: ["method": "\(target.method.fullName)", "error": "\(error)"])
            }
        }
        return error
    }

    /// A reply message as the client gets it, and its content type: the raw bytes of a `google.api.HttpBody`,
    /// else JSON — as a `{"result": message}` line when `streamed`.
    private func replyBody(_ message: ByteBuffer, target: RouteTarget, streamed: Bool) throws(TranscodingError) -> (
        contentType: String, body: ByteBuffer
    ) {
        if target.responseTranscoder.repliesWithHTTPBody {
            return try httpBody(of: message, target: target)
        }
        var json: [UInt8] = streamed ? Array(#"{"result":"#.utf8) : []
        try message.withUnsafeReadableBytes { bytes throws(TranscodingError) in
            try target.responseTranscoder.encodeJSON(message: bytes, into: &json)
        }
        if streamed { json.append(contentsOf: "}\n".utf8) }
        return ("application/json", allocator.buffer(bytes: json))
    }

    /// The content type of a `google.api.HttpBody` reply that names none.
    static let defaultHTTPBodyType = "application/octet-stream"

    /// The content type and bytes of a `google.api.HttpBody` reply, the bytes a slice of `message`.
    private func httpBody(of message: ByteBuffer, target: RouteTarget) throws(TranscodingError) -> (
        contentType: String, body: ByteBuffer
    ) {
        let (contentType, data) = try message.withUnsafeReadableBytes { bytes throws(TranscodingError) in
            try target.responseTranscoder.httpBody(message: bytes)
        }
        let body = message.getSlice(at: message.readerIndex + data.lowerBound, length: data.count) ?? ByteBuffer()
        return (contentType.isEmpty ? Self.defaultHTTPBodyType : contentType, body)
    }

    /// Ends a stream that has begun: with an in-band `{"error": status}` line for JSON, or, for raw
    /// `google.api.HttpBody` bytes that cannot carry one, by cutting the reply short (logged).
    private func endStream(_ writer: RecordingResponseWriter, with error: GatewayError, target: RouteTarget) {
        writer.code = error.code
        guard !target.responseTranscoder.repliesWithHTTPBody else {
            logger.warning(
                "a raw HttpBody stream failed after its first message; the reply is cut short",
                metadata: ["method": "\(target.method.fullName)", "grpc_code": "\(error.code)", "error": "\(error.message)"])
            writer.abortStreamingResponse()
            return
        }
        var line: [UInt8] = Array(#"{"error":"#.utf8)
        line.append(contentsOf: error.jsonBody)
        line.append(contentsOf: "}\n".utf8)
        writer.writeBodyChunk(allocator.buffer(bytes: line))
        writer.endStreamingResponse()
    }

    private func reply(_ result: Result<UpstreamReply, GatewayError>, target: RouteTarget, writer: RecordingResponseWriter) {
        switch result {
        case .failure(let error):
            refuse(error, writer)
        case .success(let reply):
            let metadata = RequestMetadata.responseHeaders(headers: reply.headers, trailers: reply.trailers)
            guard reply.status == .ok, let response = reply.response else {
                var error = backendError(reply, target: target)
                error.headers = metadata
                refuse(error, writer, fromBackend: true)
                return
            }
            let body: (contentType: String, body: ByteBuffer)
            do {
                body = try replyBody(response, target: target, streamed: false)
            } catch {
                refuse(GatewayError(.internalError, "cannot transcode the backend's reply: \(error)"), writer)
                return
            }
            var headers: [(name: String, value: String)] = [("content-type", body.contentType)]
            headers.append(contentsOf: metadata)
            writer.writeResponse(status: 200, headers: headers, body: body.body)
        }
    }
}

@available(*, unavailable)
extension RequestDispatcher: Sendable {}
