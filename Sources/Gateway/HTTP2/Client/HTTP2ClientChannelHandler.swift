import NIOCore

/// The channel handler of an upstream connection: forwards the channel's events to the connection's session.
///
/// It keeps its `HTTP2ClientConnection` alive while the channel is in use and lets go of it when removed.
final class HTTP2ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var connection: HTTP2ClientConnection?

    init(connection: HTTP2ClientConnection) {
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.connection?.session.handlerAdded(context: context)
        if context.channel.isActive {
            self.connection?.startHandshakeTimer()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.connection?.session.handlerRemoved()
        self.connection = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.connection?.channelActive()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connection?.session.channelInactive()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.connection?.session.channelRead(Self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.connection?.session.channelReadComplete()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.connection?.session.channelWritabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.connection?.session.closeChannel(
            error: HTTP2Error(code: .connectionClosed, message: "the connection failed", cause: error)
        )
    }
}

@available(*, unavailable)
extension HTTP2ClientChannelHandler: Sendable {}
