import NIOCore

/// One request/response exchange on an HTTP/2 server connection.
///
/// Bound to the connection's event loop: call it only there (hop with `eventLoop.execute` from elsewhere).
/// Commands issued after the stream closed are ignored. Frames are written at the end of the current read batch,
/// or on the next event-loop tick when issued outside one.
package final class HTTP2ServerStream {
    let state: NGHTTP2StreamState
    private let session: NGHTTP2Session

    /// The connection's event loop.
    package let eventLoop: any EventLoop

    /// The HTTP/2 stream id (odd, chosen by the client).
    package var id: Int32 {
        self.state.id
    }

    /// True once the stream closed (and `HTTP2ServerStreamDelegate.streamClosed` was called or is being called).
    package var isClosed: Bool {
        self.state.isClosed
    }

    /// Bytes of DATA given to `sendData` that are not yet in a frame (flow control or a slow reader hold them).
    package var bufferedBytes: Int {
        self.state.outboundBytes
    }

    /// False while more than the connection's `sendBufferHighWaterMark` bytes wait in `bufferedBytes`; the delegate
    /// hears `sendBufferDrained` once they fell to half of it. Whoever feeds the stream should stop meanwhile.
    package var isWritable: Bool {
        self.state.isWritable
    }

    init(state: NGHTTP2StreamState, session: NGHTTP2Session, eventLoop: any EventLoop) {
        self.state = state
        self.session = session
        self.eventLoop = eventLoop
    }

    /// Sends the response's header block (`:status` first). With `endStream` the response is complete.
    package func sendResponseHeaders(_ headers: [HTTP2Header], endStream: Bool) {
        self.eventLoop.assertInEventLoop()
        self.session.submitResponse(headers, endStream: endStream, on: self.state)
    }

    /// Queues response body bytes; with `endStream` the response is complete after them. Bodies larger than the
    /// peer's flow-control windows are sent as the peer opens its windows.
    package func sendData(_ data: ByteBuffer, endStream: Bool) {
        self.eventLoop.assertInEventLoop()
        self.session.submitData(data, endStream: endStream, on: self.state)
    }

    /// Sends trailers after the queued body; they end the stream. Without response headers sent before, the
    /// trailers are sent as a trailers-only response (one header block that ends the stream).
    package func sendTrailers(_ trailers: [HTTP2Header]) {
        self.eventLoop.assertInEventLoop()
        if self.state.headersSubmitted {
            self.session.submitTrailers(trailers, on: self.state)
        } else {
            self.session.submitResponse(trailers, endStream: true, on: self.state)
        }
    }

    /// Resets the stream with RST_STREAM; the delegate then learns of its closure with a `.streamReset` error.
    package func reset(errorCode: HTTP2ErrorCode) {
        self.eventLoop.assertInEventLoop()
        self.session.submitReset(errorCode, on: self.state)
    }

    /// Stops giving the client flow-control window for this stream: it can send at most one more stream window
    /// (`initialWindowSize`) of DATA, which is still delivered, until `resumeReceiving()`. Use it while whoever
    /// the data goes to cannot take more.
    package func pauseReceiving() {
        self.eventLoop.assertInEventLoop()
        self.session.pauseReceiving(on: self.state)
    }

    /// Gives back the window of the DATA delivered while paused, so that the client sends again.
    package func resumeReceiving() {
        self.eventLoop.assertInEventLoop()
        self.session.resumeReceiving(on: self.state)
    }
}

@available(*, unavailable)
extension HTTP2ServerStream: Sendable {}
