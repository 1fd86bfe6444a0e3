import NIOCore

/// One request/response exchange on an `HTTP2ClientConnection`.
///
/// Bound to the connection's event loop. Commands issued after the stream closed are ignored.
package final class HTTP2ClientStream {
    let state: NGHTTP2StreamState
    private let session: NGHTTP2Session
    var delegate: (any HTTP2ClientStreamDelegate)?

    /// The HTTP/2 stream id (odd, assigned when the stream started).
    package var id: Int32 {
        self.state.id
    }

    /// True once the stream closed.
    package var isClosed: Bool {
        self.state.isClosed
    }

    /// Bytes of DATA given to `sendData` that are not yet in a frame (flow control or a slow peer hold them).
    package var bufferedBytes: Int {
        self.state.outboundBytes
    }

    /// False while more than the connection's `sendBufferHighWaterMark` bytes wait in `bufferedBytes`; the delegate
    /// hears `sendBufferDrained` once they fell to half of it. Whoever feeds the stream should stop meanwhile.
    package var isWritable: Bool {
        self.state.isWritable
    }

    init(state: NGHTTP2StreamState, session: NGHTTP2Session, delegate: any HTTP2ClientStreamDelegate) {
        self.state = state
        self.session = session
        self.delegate = delegate
    }

    /// Queues request body bytes; with `endStream` the request is complete after them.
    package func sendData(_ data: ByteBuffer, endStream: Bool) {
        self.session.context?.eventLoop.assertInEventLoop()
        self.session.submitData(data, endStream: endStream, on: self.state)
    }

    /// Resets the stream with RST_STREAM (e.g. `.cancel`); the delegate then learns of its closure with a
    /// `.streamReset` error.
    package func reset(errorCode: HTTP2ErrorCode) {
        self.session.context?.eventLoop.assertInEventLoop()
        self.session.submitReset(errorCode, on: self.state)
    }

    /// Stops giving the server flow-control window for this stream: it can send at most one more stream window
    /// (`initialWindowSize`) of DATA, which is still delivered, until `resumeReceiving()`. Use it while whoever
    /// the data goes to cannot take more.
    package func pauseReceiving() {
        self.session.context?.eventLoop.assertInEventLoop()
        self.session.pauseReceiving(on: self.state)
    }

    /// Gives back the window of the DATA delivered while paused, so that the server sends again.
    package func resumeReceiving() {
        self.session.context?.eventLoop.assertInEventLoop()
        self.session.resumeReceiving(on: self.state)
    }
}

@available(*, unavailable)
extension HTTP2ClientStream: Sendable {}
