import NIOCore
import NIOHTTP1

/// Serves one HTTP/1.1 client connection: gathers each request's body up to the size limit, hands the
/// request to the dispatcher and writes its reply as one pre-encoded buffer.
///
/// Requests on a keep-alive connection are answered in order; a pipelined request waits until the one
/// before it is answered.
final class HTTP1ConnectionHandler: ChannelInboundHandler, ResponseWriter {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Between requests.
        case idle
        /// Gathering a request's body.
        case receiving(GatewayRequest, keepAlive: Bool)
        /// The request is with the dispatcher; its reply has not been written yet.
        case waitingForResponse(keepAlive: Bool)
        /// The connection is being closed; further input is ignored.
        case closing
    }

    private let dispatcher: RequestDispatcher
    private let maxRequestBytes: Int
    private var state = State.idle
    private var pipelined: [HTTPServerRequestPart] = []
    private var context: ChannelHandlerContext?

    init(dispatcher: RequestDispatcher, maxRequestBytes: Int) {
        self.dispatcher = dispatcher
        self.maxRequestBytes = maxRequestBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .waitingForResponse:
            pipelined.append(part)
        case .closing:
            break
        case .idle, .receiving:
            handle(part, context: context)
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let head), .idle):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxRequestBytes {
                rejectAndClose(.bodyTooLarge(limit: maxRequestBytes))
                return
            }
            let request = GatewayRequest(
                method: head.method.rawValue,
                target: head.uri,
                headers: head.headers.map { (name: $0.name.lowercased(), value: $0.value) },
                body: context.channel.allocator.buffer(capacity: 0),
                clientAddress: context.channel.remoteAddress?.ipAddress)
            state = .receiving(request, keepAlive: head.isKeepAlive)
        case (.body(var chunk), .receiving(var request, let keepAlive)):
            guard request.body.readableBytes + chunk.readableBytes <= maxRequestBytes else {
                rejectAndClose(.bodyTooLarge(limit: maxRequestBytes))
                return
            }
            state = .idle  // drop the reference so the body buffer is not copied on write
            request.body.writeBuffer(&chunk)
            state = .receiving(request, keepAlive: keepAlive)
        case (.end, .receiving(let request, let keepAlive)):
            state = .waitingForResponse(keepAlive: keepAlive)
            dispatcher.handle(request, writer: self)
        default:
            rejectAndClose(GatewayError(.invalidArgument, "malformed HTTP/1.1 request", httpStatus: 400))
        }
    }

    func writeResponse(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        guard let context, case .waitingForResponse(let keepAlive) = state else { return }
        write(status: status, headers: headers, body: body, keepAlive: keepAlive, context: context)
        guard keepAlive else {
            state = .closing
            return
        }
        state = .idle
        let waiting = pipelined
        pipelined.removeAll()
        for part in waiting {
            if case .waitingForResponse = state {
                pipelined.append(part)
            } else {
                handle(part, context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .waitingForResponse, .closing:
            context.close(promise: nil)
        case .idle, .receiving:
            if let parserError = error as? HTTPParserError, parserError == .headerOverflow {
                rejectAndClose(GatewayError(.invalidArgument, "request headers too large", httpStatus: 431))
            } else {
                rejectAndClose(GatewayError(.invalidArgument, "malformed HTTP/1.1 request: \(error)", httpStatus: 400))
            }
        }
    }

    /// Answers with `error` and closes the connection: the rest of the request cannot be trusted or skipped.
    private func rejectAndClose(_ error: GatewayError) {
        guard let context else { return }
        state = .closing
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        headers.append(contentsOf: error.headers)
        write(
            status: error.httpStatus, headers: headers, body: context.channel.allocator.buffer(bytes: error.jsonBody),
            keepAlive: false, context: context)
    }

    private func write(
        status: Int, headers: [(name: String, value: String)], body: ByteBuffer, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        var buffer = context.channel.allocator.buffer(capacity: 128 + body.readableBytes)
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
        buffer.writeStaticString("content-length: ")
        buffer.writeString(String(body.readableBytes))
        buffer.writeStaticString(keepAlive ? "\r\n\r\n" : "\r\nconnection: close\r\n\r\n")
        var body = body
        buffer.writeBuffer(&body)
        let written = context.writeAndFlush(wrapOutboundOut(buffer))
        if !keepAlive {
            written.whenComplete { _ in context.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension HTTP1ConnectionHandler: Sendable {}
