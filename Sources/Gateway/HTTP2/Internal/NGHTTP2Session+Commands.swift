import CNGHTTP2
import NIOCore

/// Commands the faces issue. Each queues frames inside nghttp2 and schedules a flush; none calls back into the
/// owner synchronously, so they may be issued from inside an owner callback.
extension NGHTTP2Session {
    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS, `Int.max` when it set none.
    var peerMaxConcurrentStreams: Int {
        guard let session = self.session else { return 0 }
        let value = nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)
        return value == UInt32.max ? Int.max : Int(value)
    }

    /// The highest stream id the peer opened that this side processed.
    var lastProcessedStreamID: Int32 {
        guard let session = self.session else { return 0 }
        return nghttp2_session_get_last_proc_stream_id(session)
    }

    /// Client face: submits a request's HEADERS frame, with a data provider unless `endStream`.
    func submitRequest(
        _ headers: [HTTP2Header],
        endStream: Bool,
        stream: NGHTTP2StreamState
    ) throws(HTTP2Error) {
        guard let session = self.session, !self.isClosing else {
            throw HTTP2Error(code: .streamUnavailable, message: "the connection is closed", requestNeverProcessed: true)
        }
        let streamPointer = Unmanaged.passUnretained(stream).toOpaque()
        var provider = nghttp2_data_provider(
            source: nghttp2_data_source(ptr: streamPointer),
            read_callback: Self.readOutboundCallback
        )
        let id = self.headerEncoder.withEncodedFields(headers) { fields, count in
            if endStream {
                return nghttp2_submit_request(session, nil, fields, count, nil, streamPointer)
            }
            return nghttp2_submit_request(session, nil, fields, count, &provider, streamPointer)
        }
        guard id > 0 else {
            var error = HTTP2Error.library(
                .streamUnavailable, operation: "nghttp2_submit_request", libraryError: Int(id))
            error.requestNeverProcessed = true
            throw error
        }
        stream.id = id
        stream.headersSubmitted = true
        stream.endRequested = endStream
        self.streams[id] = stream
        self.scheduleFlush()
    }

    /// Server face: submits the response's HEADERS frame, with a data provider unless `endStream`.
    func submitResponse(_ headers: [HTTP2Header], endStream: Bool, on stream: NGHTTP2StreamState) {
        guard let session = self.session, !stream.isClosed, !stream.headersSubmitted else { return }
        stream.headersSubmitted = true
        let streamPointer = Unmanaged.passUnretained(stream).toOpaque()
        var provider = nghttp2_data_provider(
            source: nghttp2_data_source(ptr: streamPointer),
            read_callback: Self.readOutboundCallback
        )
        if endStream {
            stream.endRequested = true
        }
        let result = self.headerEncoder.withEncodedFields(headers) { fields, count in
            if endStream {
                return nghttp2_submit_response(session, stream.id, fields, count, nil)
            }
            return nghttp2_submit_response(session, stream.id, fields, count, &provider)
        }
        if result != 0 {
            self.submitReset(.internalError, on: stream)
        }
        self.scheduleFlush()
    }

    /// Queues DATA for the stream's data provider; `endStream` ends the stream after it.
    func submitData(_ data: ByteBuffer, endStream: Bool, on stream: NGHTTP2StreamState) {
        guard !stream.isClosed, !stream.endRequested else { return }
        if data.readableBytes > 0 {
            stream.outbound.append(data)
            stream.outboundBytes += data.readableBytes
            if stream.outboundBytes > self.configuration.sendBufferHighWaterMark {
                stream.isWritable = false
            }
        }
        if endStream {
            stream.endRequested = true
        }
        self.resumeData(on: stream)
    }

    /// Queues trailers to send after the queued DATA; they end the stream.
    func submitTrailers(_ trailers: [HTTP2Header], on stream: NGHTTP2StreamState) {
        guard !stream.isClosed, !stream.endRequested else { return }
        stream.trailers = trailers
        stream.endRequested = true
        self.resumeData(on: stream)
    }

    /// Sends RST_STREAM with `errorCode`; the stream closes once it was sent.
    func submitReset(_ errorCode: HTTP2ErrorCode, on stream: NGHTTP2StreamState) {
        guard let session = self.session, !stream.isClosed, stream.id > 0, stream.localResetCode == nil else { return }
        stream.localResetCode = errorCode
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, errorCode.rawValue)
        self.scheduleFlush()
    }

    /// Sends GOAWAY; with `.noError` the session closes once the streams up to `lastStreamID` are done.
    func submitGoAway(lastStreamID: Int32, errorCode: HTTP2ErrorCode) {
        guard let session = self.session, !self.isClosing else { return }
        nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStreamID, errorCode.rawValue, nil, 0)
        self.scheduleFlush()
    }

    /// Sends a PING; its acknowledgement is reported to the owner.
    func submitPing() {
        guard let session = self.session, !self.isClosing else { return }
        nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
        self.scheduleFlush()
    }

    /// Stops giving delivered DATA back to the stream's flow-control window.
    func pauseReceiving(on stream: NGHTTP2StreamState) {
        stream.isReceivePaused = true
    }

    /// Gives the DATA delivered while paused back to the stream's window (a WINDOW_UPDATE once it is worth one)
    /// and consumes what arrives from now on as it is delivered.
    func resumeReceiving(on stream: NGHTTP2StreamState) {
        guard stream.isReceivePaused else { return }
        stream.isReceivePaused = false
        let unconsumed = stream.unconsumedBytes
        stream.unconsumedBytes = 0
        guard unconsumed > 0, let session = self.session, !stream.isClosed, !self.isClosing else { return }
        nghttp2_session_consume_stream(session, stream.id, unconsumed)
        self.scheduleFlush()
    }

    private func resumeData(on stream: NGHTTP2StreamState) {
        guard let session = self.session else { return }
        if stream.dataDeferred {
            stream.dataDeferred = false
            nghttp2_session_resume_data(session, stream.id)
        }
        self.scheduleFlush()
    }
}
