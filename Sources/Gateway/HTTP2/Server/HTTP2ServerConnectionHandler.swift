import NIOCore

/// The server face of an h2c connection: one nghttp2 server session driven by this handler, reporting requests
/// to an `HTTP2ServerStreamDelegate`.
///
/// Add it to a channel whose next inbound bytes are the client connection preface (`PRI * HTTP/2.0…`): a
/// preface-detecting handler must forward the bytes it read, preface included, followed by `channelReadComplete`.
/// The handler sends its SETTINGS at once. It must be the last inbound handler for the connection's bytes; it
/// writes `ByteBuffer`s.
///
/// Ownership: the handler holds its delegate strongly until it is removed from the pipeline, so the gateway may
/// create one delegate per connection and hand it over. A stream holds its connection's session, and the session
/// holds an open stream until it closes, so a delegate may keep streams but must not keep this handler.
package final class HTTP2ServerConnectionHandler: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    private let configuration: HTTP2Configuration
    private var delegate: (any HTTP2ServerStreamDelegate)?
    private var eventLoop: (any EventLoop)?
    private lazy var session = NGHTTP2Session(role: .server, configuration: self.configuration, owner: self)

    /// Creates the handler of one connection.
    /// - Parameters:
    ///   - configuration: The settings advertised to the client and the limits enforced.
    ///   - delegate: Receives the connection's requests; held until the handler is removed.
    package init(configuration: HTTP2Configuration, delegate: any HTTP2ServerStreamDelegate) {
        self.configuration = configuration
        self.delegate = delegate
    }

    /// Sends GOAWAY with last-stream-id = the highest stream processed, lets the open streams finish, then closes
    /// the channel. Call on the channel's event loop.
    package func startGracefulShutdown() {
        self.eventLoop?.assertInEventLoop()
        self.session.submitGoAway(lastStreamID: self.session.lastProcessedStreamID, errorCode: .noError)
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.eventLoop = context.eventLoop
        self.session.handlerAdded(context: context)
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.session.handlerRemoved()
        self.delegate = nil
    }

    package func channelActive(context: ChannelHandlerContext) {
        self.session.channelActive()
        context.fireChannelActive()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        self.session.channelInactive()
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.session.channelRead(Self.unwrapInboundIn(data))
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        self.session.channelReadComplete()
        context.fireChannelReadComplete()
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.session.channelWritabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    /// A `ConnectionDrainEvent` starts the graceful shutdown; other events go on.
    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ConnectionDrainEvent {
            startGracefulShutdown()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.session.closeChannel(
            error: HTTP2Error(code: .connectionClosed, message: "the connection failed", cause: error)
        )
    }
}

extension HTTP2ServerConnectionHandler: NGHTTP2SessionOwner {
    func session(
        _ session: NGHTTP2Session,
        receivedHeaders headers: [HTTP2Header],
        kind: NGHTTP2HeaderBlockKind,
        endStream: Bool,
        on state: NGHTTP2StreamState
    ) {
        switch kind {
        case .initial:
            guard let eventLoop = self.eventLoop, let delegate = self.delegate else { return }
            let stream = HTTP2ServerStream(state: state, session: session, eventLoop: eventLoop)
            state.face = stream
            delegate.requestHeadersReceived(on: stream, headers: headers, endStream: endStream)
        case .trailers:
            if endStream, let face = state.face {
                let stream = unsafeDowncast(face, to: HTTP2ServerStream.self)
                self.delegate?.requestDataReceived(on: stream, data: session.emptyBuffer, endStream: true)
            }
        }
    }

    func session(_ session: NGHTTP2Session, receivedOversizedHeadersOn state: NGHTTP2StreamState) {
        guard state.face == nil else {
            session.submitReset(.protocolError, on: state)
            return
        }
        guard let eventLoop = self.eventLoop, let delegate = self.delegate else {
            session.submitResponse([HTTP2Header(name: ":status", value: "431")], endStream: true, on: state)
            return
        }
        let stream = HTTP2ServerStream(state: state, session: session, eventLoop: eventLoop)
        state.face = stream
        delegate.requestHeadersTooLarge(on: stream)
    }

    func session(
        _ session: NGHTTP2Session,
        receivedData data: ByteBuffer,
        endStream: Bool,
        on state: NGHTTP2StreamState
    ) {
        guard let face = state.face else { return }
        self.delegate?.requestDataReceived(
            on: unsafeDowncast(face, to: HTTP2ServerStream.self),
            data: data,
            endStream: endStream
        )
    }

    func session(_ session: NGHTTP2Session, streamClosed state: NGHTTP2StreamState, error: HTTP2Error?) {
        guard let face = state.face else { return }
        state.face = nil
        self.delegate?.streamClosed(unsafeDowncast(face, to: HTTP2ServerStream.self), error: error)
    }

    func session(_ session: NGHTTP2Session, sendBufferDrained state: NGHTTP2StreamState) {
        guard let face = state.face else { return }
        self.delegate?.sendBufferDrained(on: unsafeDowncast(face, to: HTTP2ServerStream.self))
    }

    func sessionReceivedSettings(_ session: NGHTTP2Session) {}

    func session(_ session: NGHTTP2Session, receivedGoAway lastStreamID: Int32, errorCode: HTTP2ErrorCode) {}

    func sessionReceivedPingAcknowledgement(_ session: NGHTTP2Session) {}

    func session(_ session: NGHTTP2Session, connectionClosedWith error: HTTP2Error?) {}
}

@available(*, unavailable)
extension HTTP2ServerConnectionHandler: Sendable {}
