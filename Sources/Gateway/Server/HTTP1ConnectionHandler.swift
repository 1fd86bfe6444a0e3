import NIOCore
import NIOHTTP1

/// Serves one HTTP/1.1 client connection: gathers each request's body up to the size limit, hands the
/// request to the dispatcher and writes its reply as one pre-encoded buffer.
///
/// Requests on a keep-alive connection are answered in order; a pipelined request waits until the one
/// before it is answered and the client has taken that answer (the channel is writable). While requests wait,
/// or while the client does not take its answers, the handler stops reading from the socket: what is queued is
/// at most what one read brought, and what is written at most one answer beyond the write buffer's high-water
/// mark.
///
/// A streamed reply's producer is told (`isWritable`, `whenWritable`) when the client reads slower than the
/// reply comes, from the channel's writability: the write buffer holds at most its high-water mark
/// (`streamBufferBytes`) plus one chunk.
final class HTTP1ConnectionHandler: ChannelDuplexHandler, ResponseWriter {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Between requests.
        case idle
        /// Gathering a request's body.
        case receiving(GatewayRequest, keepAlive: Bool)
        /// The request is with the dispatcher; its reply has not been written yet.
        case waitingForResponse(keepAlive: Bool)
        /// The reply's head is out and its body is being streamed in chunks.
        case streamingResponse(keepAlive: Bool)
        /// The connection is being closed; further input is ignored.
        case closing
        /// A refused request's answer is out and the write side closed; what the client still sends is read
        /// and dropped (for a bounded time and size) so that closing does not reset the connection before the
        /// client has read the answer (nginx's lingering close).
        case lingering
    }

    /// How long a lingering connection waits for more of the client's bytes, and at most in all.
    private static let lingerQuietTime = TimeAmount.seconds(5)
    private static let lingerTime = TimeAmount.seconds(30)
    /// The most a lingering connection reads and drops.
    private static let lingerBytes = 64 << 20

    private let dispatcher: RequestDispatcher
    private let limits: GatewayConfig.Limits
    private var state = State.idle
    private var pipelined: [HTTPServerRequestPart] = []
    private var context: ChannelHandlerContext?
    /// Set when the gateway drains: the next reply ends the connection.
    private var draining = false
    /// Cancels the backend call of the request being answered, if the client goes away first.
    private var cancelInFlight: (() -> Void)?
    private var requestsDispatched = 0
    /// A read the channel asked for while requests were queued or the channel was not writable; issued once the
    /// queue is empty and the channel writable.
    private var readHeld = false
    /// What runs when the channel is writable again (the producer of a streamed reply resuming).
    private var writableAction: (() -> Void)?
    /// The reply being written refuses a request whose body may still be arriving: linger after it.
    private var lingerAfterReply = false
    /// Bytes that followed a complete request and are not a request: answered with 400 once the requests
    /// before them are.
    private var malformedAfterQueue: GatewayError?
    private var lingerTimers: [Scheduled<Void>] = []
    private var lingeredBytes = 0
    /// Runs out `requestHeaderTimeout` after the first bytes of a request head, until the head is complete.
    private var headerTimer: Scheduled<Void>?
    /// The current read delivered something decoded (a read that delivers nothing brought part of a head).
    private var decodedThisRead = false
    /// Runs out `requestBodyTimeout` after the last byte of a request body, until the body is complete.
    private var bodyTimer: CallDeadlines.Registration?

    init(dispatcher: RequestDispatcher, limits: GatewayConfig.Limits) {
        self.dispatcher = dispatcher
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .waitingForResponse, .streamingResponse:
            cancelInFlight?()
        case .idle, .receiving, .closing, .lingering:
            break
        }
        cancelInFlight = nil
        writableAction = nil
        for timer in lingerTimers { timer.cancel() }
        lingerTimers.removeAll()
        stopRequestTimers()
        state = .closing
        context.fireChannelInactive()
    }

    /// A read that decoded nothing between requests brought the first bytes of a head that is not complete yet:
    /// the head must be complete within `requestHeaderTimeout`.
    func channelReadComplete(context: ChannelHandlerContext) {
        defer { decodedThisRead = false }
        if case .idle = state, !decodedThisRead, pipelined.isEmpty, headerTimer == nil {
            headerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .init(limits.requestHeaderTimeout)) {
                self.headerTimer = nil
                guard case .idle = self.state else { return }
                self.rejectAndClose(
                    .requestTimeout(
                        "the request headers", key: "requestHeaderTimeout", limit: self.limits.requestHeaderTimeout))
            }
        }
        context.fireChannelReadComplete()
    }

    /// Restarts the body's timer: `requestBodyTimeout` from now.
    private func restartBodyTimer() {
        if let bodyTimer { dispatcher.deadlines.cancel(bodyTimer) }
        bodyTimer = dispatcher.deadlines.register(.now() + .init(limits.requestBodyTimeout)) {
            self.bodyTimer = nil
            guard case .receiving = self.state else { return }
            self.rejectAndClose(
                .requestTimeout(
                    "the rest of the request body", key: "requestBodyTimeout", limit: self.limits.requestBodyTimeout))
        }
    }

    private func stopRequestTimers() {
        headerTimer?.cancel()
        headerTimer = nil
        if let bodyTimer { dispatcher.deadlines.cancel(bodyTimer) }
        bodyTimer = nil
    }

    func read(context: ChannelHandlerContext) {
        if case .lingering = state {
            context.read()
        } else if pipelined.isEmpty && context.channel.isWritable {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if let action = writableAction {
                writableAction = nil
                action()
            }
            if case .idle = state { serveQueuedRequests(context: context) }
        }
        context.fireChannelWritabilityChanged()
    }

    var isWritable: Bool { context?.channel.isWritable ?? true }

    func whenWritable(_ action: @escaping () -> Void) {
        if isWritable {
            action()
        } else {
            writableAction = action
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        decodedThisRead = true
        switch state {
        case .waitingForResponse, .streamingResponse:
            pipelined.append(part)
        case .closing:
            break
        case .lingering:
            linger(over: part, context: context)
        case .idle, .receiving:
            if pipelined.isEmpty {
                handle(part, context: context)
            } else {
                pipelined.append(part)
            }
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let head), .idle):
            headerTimer?.cancel()
            headerTimer = nil
            receiveHead(head, context: context)
            if case .receiving = state { restartBodyTimer() }
        case (.body(var chunk), .receiving(var request, let keepAlive)):
            restartBodyTimer()
            guard request.body.readableBytes + chunk.readableBytes <= limits.maxRequestBytes else {
                rejectAndClose(.bodyTooLarge(limit: limits.maxRequestBytes), lingering: true)
                return
            }
            state = .idle  // drop the reference so the body buffer is not copied on write
            request.body.writeBuffer(&chunk)
            state = .receiving(request, keepAlive: keepAlive)
        case (.end, .receiving(let request, let keepAlive)):
            stopRequestTimers()
            state = .waitingForResponse(keepAlive: keepAlive)
            dispatch(request)
        default:
            rejectAndClose(GatewayError(.invalidArgument, "malformed HTTP/1.1 request", httpStatus: 400))
        }
    }

    /// Starts a request, or refuses it from its head alone: too many headers, native gRPC (which needs
    /// HTTP/2), a declared body over the limit. A client that sent `Expect: 100-continue` is told to send its
    /// body only when the request will be read: a request no route takes is answered at once.
    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.headers.count <= limits.maxHeaderCount else {
            rejectAndClose(.tooManyHeaders(head.headers.count, limit: limits.maxHeaderCount))
            return
        }
        if head.headers.first(name: "content-type")?.hasPrefix("application/grpc") == true {
            rejectAndClose(.grpcNeedsHTTP2, lingering: true)
            return
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxRequestBytes {
            rejectAndClose(.bodyTooLarge(limit: limits.maxRequestBytes), lingering: true)
            return
        }
        let request = GatewayRequest(
            method: head.method.rawValue,
            target: head.uri,
            headers: head.headers.map { (name: $0.name.lowercased(), value: $0.value) },
            body: context.channel.allocator.buffer(capacity: 0),
            clientAddress: context.channel.remoteAddress?.ipAddress)
        let expectsContinue = head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
        if expectsContinue {
            guard case .matched = dispatcher.runtime.routes.match(method: request.method, path: request.path) else {
                // Answered without its body, which may follow or not: the connection ends after the answer.
                state = .waitingForResponse(keepAlive: false)
                lingerAfterReply = true
                dispatch(request)
                return
            }
            let interim = context.channel.allocator.buffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")
            context.writeAndFlush(wrapOutboundOut(interim), promise: nil)
        }
        state = .receiving(request, keepAlive: head.isKeepAlive)
    }

    private func dispatch(_ request: GatewayRequest) {
        requestsDispatched += 1
        let number = requestsDispatched
        let cancel = dispatcher.handle(request, writer: self)
        // Unless it was answered at once (and a pipelined request may have been dispatched meanwhile).
        if requestsDispatched == number, case .waitingForResponse = state { cancelInFlight = cancel }
    }

    func writeResponse(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        guard let context, case .waitingForResponse(let keepAlive) = state else { return }
        var head = encodeHead(status: status, headers: headers, context: context)
        head.writeStaticString("content-length: ")
        head.writeString(String(body.readableBytes))
        head.writeStaticString("\r\n")
        finishHead(&head, keepAlive: keepAlive)
        var body = body
        head.writeBuffer(&body)
        let written = context.writeAndFlush(wrapOutboundOut(head))
        responseFinished(keepAlive: keepAlive, written: written, context: context)
    }

    func startStreamingResponse(status: Int, headers: [(name: String, value: String)]) {
        guard let context, case .waitingForResponse(let keepAlive) = state else { return }
        var head = encodeHead(status: status, headers: headers, context: context)
        head.writeStaticString("transfer-encoding: chunked\r\n")
        finishHead(&head, keepAlive: keepAlive)
        context.writeAndFlush(wrapOutboundOut(head), promise: nil)
        state = .streamingResponse(keepAlive: keepAlive)
    }

    func writeBodyChunk(_ chunk: ByteBuffer) {
        guard let context, case .streamingResponse = state, chunk.readableBytes > 0 else { return }
        var framed = context.channel.allocator.buffer(capacity: chunk.readableBytes + 16)
        framed.writeString(String(chunk.readableBytes, radix: 16))
        framed.writeStaticString("\r\n")
        var chunk = chunk
        framed.writeBuffer(&chunk)
        framed.writeStaticString("\r\n")
        context.writeAndFlush(wrapOutboundOut(framed), promise: nil)
    }

    func endStreamingResponse() {
        guard let context, case .streamingResponse(let keepAlive) = state else { return }
        let written = context.writeAndFlush(
            wrapOutboundOut(context.channel.allocator.buffer(staticString: "0\r\n\r\n")))
        responseFinished(keepAlive: keepAlive, written: written, context: context)
    }

    func abortStreamingResponse() {
        guard let context, case .streamingResponse = state else { return }
        cancelInFlight = nil
        writableAction = nil
        state = .closing
        // What was written goes out first: the client sees the body end without the last chunk.
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }

    /// After a reply: closes the connection once the reply is out, or serves the requests that arrived
    /// meanwhile.
    private func responseFinished(keepAlive: Bool, written: EventLoopFuture<Void>, context: ChannelHandlerContext) {
        cancelInFlight = nil
        writableAction = nil
        guard keepAlive && !draining else {
            state = .closing
            let linger = lingerAfterReply
            written.assumeIsolated().whenComplete { _ in
                if linger {
                    self.startLingering(context: context)
                } else {
                    context.close(promise: nil)
                }
            }
            return
        }
        state = .idle
        serveQueuedRequests(context: context)
    }

    /// Serves the requests that arrived while the one before was answered, once the client has taken that
    /// answer, then reads again if a read was held.
    private func serveQueuedRequests(context: ChannelHandlerContext) {
        guard context.channel.isWritable else { return }
        let waiting = pipelined
        pipelined.removeAll()
        for part in waiting {
            switch state {
            case .waitingForResponse, .streamingResponse:
                pipelined.append(part)
            case .closing, .lingering:
                break
            case .idle, .receiving:
                handle(part, context: context)
            }
        }
        if case .idle = state, pipelined.isEmpty, let malformed = malformedAfterQueue {
            malformedAfterQueue = nil
            rejectAndClose(malformed)
            return
        }
        if readHeld && pipelined.isEmpty && context.channel.isWritable {
            readHeld = false
            context.read()
        }
    }

    /// Half-closes the connection after a refusal and reads what the client still sends, dropping it, until
    /// the client closes, goes quiet for `lingerQuietTime`, `lingerTime` has passed or `lingerBytes` were read.
    private func startLingering(context: ChannelHandlerContext) {
        guard case .closing = state else { return }
        state = .lingering
        pipelined.removeAll()
        context.close(mode: .output, promise: nil)
        let loop = context.eventLoop.assumeIsolated()
        lingerTimers = [
            loop.scheduleTask(in: Self.lingerTime) { context.close(promise: nil) },
            loop.scheduleTask(in: Self.lingerQuietTime) { context.close(promise: nil) },
        ]
        context.read()
    }

    private func linger(over part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        if case .body(let chunk) = part { lingeredBytes += chunk.readableBytes }
        guard lingeredBytes <= Self.lingerBytes else {
            context.close(promise: nil)
            return
        }
        lingerTimers.popLast()?.cancel()
        lingerTimers.append(
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerQuietTime) { context.close(promise: nil) })
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ConnectionDrainEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        draining = true
        if case .idle = state, pipelined.isEmpty {
            state = .closing
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let refusal: GatewayError
        if let parserError = error as? HTTPParserError, parserError == .headerOverflow {
            refusal = .headersTooLarge(limit: limits.maxHeaderBytes)
        } else {
            refusal = GatewayError(.invalidArgument, "malformed HTTP/1.1 request: \(error)", httpStatus: 400)
        }
        switch state {
        case .waitingForResponse, .streamingResponse:
            guard error is HTTPParserError else {
                context.close(promise: nil)
                return
            }
            // What follows a complete request is not a request: the requests before it are answered first.
            malformedAfterQueue = refusal
        case .idle where !pipelined.isEmpty:
            malformedAfterQueue = refusal
        case .closing:
            context.close(promise: nil)
        case .lingering:
            break
        case .idle, .receiving:
            rejectAndClose(refusal)
        }
    }

    /// Answers with `error` and closes the connection: the rest of the request cannot be trusted or skipped.
    /// With `lingering`, a body may still be arriving: the connection lingers after the answer (see
    /// `State.lingering`).
    private func rejectAndClose(_ error: GatewayError, lingering: Bool = false) {
        guard let context else { return }
        stopRequestTimers()
        state = .waitingForResponse(keepAlive: false)
        lingerAfterReply = lingering
        dispatcher.logRefusal(error)
        writeError(error, allocator: context.channel.allocator)
    }

    /// The status line and `headers`, without the blank line that ends the head.
    private func encodeHead(
        status: Int, headers: [(name: String, value: String)], context: ChannelHandlerContext
    ) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status))
        buffer.writeStaticString(" ")
        buffer.writeString(HTTPResponseStatus(statusCode: status).reasonPhrase)
        buffer.writeStaticString("\r\n")
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        return buffer
    }

    private func finishHead(_ head: inout ByteBuffer, keepAlive: Bool) {
        head.writeStaticString(keepAlive && !draining ? "\r\n" : "connection: close\r\n\r\n")
    }
}

@available(*, unavailable)
extension HTTP1ConnectionHandler: Sendable {}
