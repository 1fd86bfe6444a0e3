import NIOCore

/// Tells HTTP/2 prior-knowledge clients from HTTP/1.1 clients by the first bytes of a connection, then
/// replaces itself with the pipeline for that protocol and replays those bytes into it.
final class ProtocolDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The client connection preface of HTTP/2 (RFC 9113, section 3.4).
    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let configureHTTP1: (ChannelHandlerContext) throws -> Void
    private let configureHTTP2: (ChannelHandlerContext) throws -> Void
    private var buffered: ByteBuffer?

    /// - Parameters:
    ///   - configureHTTP1: Adds the HTTP/1.1 handlers after this one.
    ///   - configureHTTP2: Adds the HTTP/2 handlers after this one.
    init(
        configureHTTP1: @escaping (ChannelHandlerContext) throws -> Void,
        configureHTTP2: @escaping (ChannelHandlerContext) throws -> Void
    ) {
        self.configureHTTP1 = configureHTTP1
        self.configureHTTP2 = configureHTTP2
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var earlier = buffered {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        let compared = min(bytes.readableBytes, Self.preface.count)
        let isPrefacePrefix = bytes.readableBytesView.prefix(compared).elementsEqual(Self.preface.prefix(compared))
        if isPrefacePrefix && compared < Self.preface.count {
            buffered = bytes
            return
        }
        buffered = nil
        do {
            try (isPrefacePrefix ? configureHTTP2 : configureHTTP1)(context)
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// A connection told to drain before it said which protocol it speaks has no request to finish.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ConnectionDrainEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

@available(*, unavailable)
extension ProtocolDetector: Sendable {}
