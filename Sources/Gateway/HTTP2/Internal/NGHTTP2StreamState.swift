import NIOCore

/// The per-stream state an `NGHTTP2Session` keeps for one HTTP/2 stream of either face.
///
/// nghttp2's stream user data points at this object (unretained); the session's `streams` table keeps it alive
/// until the stream closes. `face` is the public stream object (`HTTP2ServerStream` or `HTTP2ClientStream`); the
/// reference cycle between the two is broken when the stream closes.
final class NGHTTP2StreamState {
    /// The stream id; 0 until nghttp2 assigned one (client face, before `nghttp2_submit_request` returned).
    var id: Int32
    /// The public stream object, set by the face; cleared once the stream's closure was reported.
    var face: AnyObject?

    /// DATA waiting for the data provider, oldest first.
    var outbound = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    /// Bytes in `outbound`.
    var outboundBytes = 0
    /// `outboundBytes` stayed at most the configuration's `sendBufferHighWaterMark`, or has fallen back to half of it
    /// since it went over.
    var isWritable = true
    /// Receiving is paused: delivered DATA is not given back to the stream's flow-control window.
    var isReceivePaused = false
    /// DATA bytes delivered while receiving was paused, given back to the stream's window when it resumes.
    var unconsumedBytes = 0
    /// The local side asked to end the stream once `outbound` is drained.
    var endRequested = false
    /// Trailers to send after the last DATA frame; they end the stream.
    var trailers: [HTTP2Header]?
    /// The data provider returned NGHTTP2_ERR_DEFERRED and waits for `nghttp2_session_resume_data`.
    var dataDeferred = false
    /// A header block (response or request) was submitted for this stream, with a data provider when
    /// `hasDataProvider`.
    var headersSubmitted = false
    /// The stream's first HEADERS frame went into the output (so the peer may have seen it).
    var headersSent = false
    /// END_STREAM went out.
    var localEnded = false
    /// END_STREAM came in.
    var remoteEnded = false
    /// The initial (non-informational) header block was received.
    var initialHeadersReceived = false
    /// The error code of a RST_STREAM this side submitted.
    var localResetCode: HTTP2ErrorCode?
    /// The error to report when the stream closes, overriding the one derived from how it closed.
    var closeReason: HTTP2Error?
    /// The stream's closure was reported; nothing more is delivered or sent.
    var isClosed = false

    /// The header block being received.
    var inboundHeaders: [HTTP2Header] = []
    /// Its size as HTTP/2 counts it (name + value + 32 per field).
    var inboundHeaderListSize = 0
    /// The block being received exceeded the configured limit; its fields are dropped.
    var inboundHeaderListTooLarge = false
    /// A DATA payload chunk held back so that the frame's END_STREAM flag can be delivered with it.
    var pendingData: ByteBuffer?

    init(id: Int32) {
        self.id = id
    }
}
