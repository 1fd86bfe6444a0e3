import CNGHTTP2
import NIOCore

/// nghttp2's C callbacks. Each is a non-capturing closure that recovers the `NGHTTP2Session` from `user_data` (an
/// unretained pointer: the session outlives the `nghttp2_session`) and a stream's `NGHTTP2StreamState` from the
/// stream user data (unretained: the session's `streams` table keeps it alive while nghttp2 knows the stream).
/// They run inside `nghttp2_session_mem_recv` / `nghttp2_session_mem_send`; see `NGHTTP2Session` on re-entrancy.
extension NGHTTP2Session {
    static let frameData = UInt8(NGHTTP2_DATA.rawValue)
    static let frameHeaders = UInt8(NGHTTP2_HEADERS.rawValue)
    static let frameContinuation = UInt8(NGHTTP2_CONTINUATION.rawValue)
    static let frameSettings = UInt8(NGHTTP2_SETTINGS.rawValue)
    static let framePing = UInt8(NGHTTP2_PING.rawValue)
    static let frameGoAway = UInt8(NGHTTP2_GOAWAY.rawValue)
    static let flagEndStream = UInt8(NGHTTP2_FLAG_END_STREAM.rawValue)
    static let flagAck = UInt8(NGHTTP2_FLAG_ACK.rawValue)

    static func installCallbacks(_ callbacks: OpaquePointer?) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            guard let frame, let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().beginHeaders(frame)
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) {
            _, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, let name, let value, let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().receiveHeader(
                streamID: frame.pointee.hd.stream_id,
                name: UnsafeBufferPointer(start: name, count: nameLength),
                value: UnsafeBufferPointer(start: value, count: valueLength)
            )
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) {
            _, _, streamID, data, length, userData in
            guard let data, let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().receiveDataChunk(
                streamID: streamID,
                UnsafeRawBufferPointer(start: data, count: length)
            )
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame, let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().receiveFrame(frame)
            return 0
        }
        nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks) { _, header, userData in
            guard let header, let userData else { return 0 }
            // A header block (HEADERS, then CONTINUATION until END_HEADERS) is open from the start of its first
            // frame until its last frame was received; no other frame may come in between.
            let type = header.pointee.type
            let session = Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue()
            session.headerBlockOpen = type == NGHTTP2Session.frameHeaders || type == NGHTTP2Session.frameContinuation
            return 0
        }
        nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks) { _, _, _, userData in
            guard let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().headerBlockOpen = false
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            guard let frame, let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().sentFrame(frame)
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks) { _, frame, libraryError, userData in
            guard let frame, let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().frameNotSent(
                frame,
                libraryError: libraryError
            )
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            guard let userData else { return 0 }
            Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().closeStream(
                streamID,
                errorCode: HTTP2ErrorCode(rawValue: errorCode)
            )
            return 0
        }
    }

    /// The data provider of every stream: copies queued DATA into nghttp2's frame buffer.
    static let readOutboundCallback: nghttp2_data_source_read_callback = {
        session, streamID, buffer, length, flags, source, userData in
        guard let buffer, let flags, let pointer = source?.pointee.ptr, let userData else {
            return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue)
        }
        let stream = Unmanaged<NGHTTP2StreamState>.fromOpaque(pointer).takeUnretainedValue()
        return Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue().readOutbound(
            stream,
            into: buffer,
            length: length,
            flags: flags
        )
    }

    // MARK: - Handlers of the callbacks

    /// The live state of a stream, or nil once the stream or the connection is closing: nothing is delivered
    /// after a callback asked to close the channel.
    private func streamState(_ streamID: Int32) -> NGHTTP2StreamState? {
        guard !self.isClosing, let session = self.session, let pointer = nghttp2_session_get_stream_user_data(session, streamID)
        else { return nil }
        let stream = Unmanaged<NGHTTP2StreamState>.fromOpaque(pointer).takeUnretainedValue()
        return stream.isClosed ? nil : stream
    }

    private func beginHeaders(_ frame: UnsafePointer<nghttp2_frame>) {
        guard frame.pointee.hd.type == Self.frameHeaders, !self.isClosing else { return }
        let streamID = frame.pointee.hd.stream_id
        if self.role == .server && frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
            let stream = NGHTTP2StreamState(id: streamID)
            self.streams[streamID] = stream
            nghttp2_session_set_stream_user_data(self.session, streamID, Unmanaged.passUnretained(stream).toOpaque())
        }
        guard let stream = self.streamState(streamID) else { return }
        stream.inboundHeaders = []
        stream.inboundHeaders.reserveCapacity(16)
        stream.inboundHeaderListSize = 0
        stream.inboundHeaderListTooLarge = false
    }

    private func receiveHeader(streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard let stream = self.streamState(streamID) else { return }
        stream.inboundHeaderListSize += name.count + value.count + 32
        if stream.inboundHeaderListSize > self.configuration.maxHeaderListSize {
            stream.inboundHeaderListTooLarge = true
            stream.inboundHeaders.removeAll()
        }
        guard !stream.inboundHeaderListTooLarge else { return }
        stream.inboundHeaders.append(
            HTTP2Header(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        )
    }

    /// A DATA payload chunk: given back to the connection's window at once, to the stream's unless it is paused
    /// (nghttp2 consumes padding and DATA of streams it ignores itself), then delivered.
    private func receiveDataChunk(streamID: Int32, _ chunk: UnsafeRawBufferPointer) {
        guard let session = self.session else { return }
        nghttp2_session_consume_connection(session, chunk.count)
        guard let stream = self.streamState(streamID) else { return }
        if stream.isReceivePaused {
            stream.unconsumedBytes += chunk.count
        } else {
            nghttp2_session_consume_stream(session, streamID, chunk.count)
        }
        let data: ByteBuffer
        if let input = self.currentInput, let base = self.currentInputBase, let start = chunk.baseAddress,
            start >= base, start + chunk.count <= base + input.readableBytes,
            let slice = input.getSlice(at: input.readerIndex + (start - base), length: chunk.count)
        {
            data = slice
        } else {
            var copy = self.context?.channel.allocator.buffer(capacity: chunk.count) ?? ByteBuffer()
            copy.writeBytes(chunk)
            data = copy
        }
        if let pending = stream.pendingData {
            stream.pendingData = data
            self.owner.session(self, receivedData: pending, endStream: false, on: stream)
        } else {
            stream.pendingData = data
        }
    }

    private func receiveFrame(_ frame: UnsafePointer<nghttp2_frame>) {
        self.headerBlockOpen = false
        guard !self.isClosing else { return }
        let header = frame.pointee.hd
        let endStream = header.flags & Self.flagEndStream != 0
        switch header.type {
        case Self.frameData:
            guard let stream = self.streamState(header.stream_id) else { return }
            if endStream {
                stream.remoteEnded = true
            }
            if let pending = stream.pendingData {
                stream.pendingData = nil
                self.owner.session(self, receivedData: pending, endStream: endStream, on: stream)
            } else if endStream {
                self.owner.session(self, receivedData: self.emptyBuffer, endStream: true, on: stream)
            }
        case Self.frameHeaders:
            guard let stream = self.streamState(header.stream_id) else { return }
            if endStream {
                stream.remoteEnded = true
            }
            if stream.inboundHeaderListTooLarge {
                stream.inboundHeaders = []
                self.owner.session(self, receivedOversizedHeadersOn: stream)
                return
            }
            let headers = stream.inboundHeaders
            stream.inboundHeaders = []
            let kind: NGHTTP2HeaderBlockKind
            if stream.initialHeadersReceived {
                kind = .trailers
            } else {
                if self.role == .client && !endStream && Self.isInformational(headers) {
                    return
                }
                stream.initialHeadersReceived = true
                kind = .initial
            }
            self.owner.session(self, receivedHeaders: headers, kind: kind, endStream: endStream, on: stream)
        case Self.frameSettings:
            if header.flags & Self.flagAck == 0 {
                self.owner.sessionReceivedSettings(self)
            }
        case Self.framePing:
            if header.flags & Self.flagAck != 0 {
                self.owner.sessionReceivedPingAcknowledgement(self)
            }
        case Self.frameGoAway:
            let lastStreamID = frame.pointee.goaway.last_stream_id
            let errorCode = HTTP2ErrorCode(rawValue: frame.pointee.goaway.error_code)
            self.recordGoAway(lastStreamID: lastStreamID, errorCode: errorCode)
            self.owner.session(self, receivedGoAway: lastStreamID, errorCode: errorCode)
        default:
            break
        }
    }

    private static func isInformational(_ headers: [HTTP2Header]) -> Bool {
        for header in headers where header.name == ":status" {
            return header.value.utf8.first == UInt8(ascii: "1")
        }
        return false
    }

    private func sentFrame(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        guard header.type == Self.frameHeaders || header.type == Self.frameData,
            let stream = self.streamState(header.stream_id)
        else { return }
        stream.headersSent = true
        if header.flags & Self.flagEndStream != 0 {
            stream.localEnded = true
        }
    }

    private func frameNotSent(_ frame: UnsafePointer<nghttp2_frame>, libraryError: Int32) {
        let header = frame.pointee.hd
        guard self.role == .client, header.type == Self.frameHeaders,
            frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST,
            let stream = self.streams.removeValue(forKey: header.stream_id), !stream.isClosed
        else { return }
        stream.isClosed = true
        var error = HTTP2Error.library(
            .streamUnavailable,
            operation: "sending the request HEADERS",
            libraryError: Int(libraryError)
        )
        if let goAway = self.receivedGoAway {
            error.code = .goAway
            error.errorCode = goAway.errorCode
        }
        error.requestNeverProcessed = true
        self.owner.session(self, streamClosed: stream, error: error)
    }

    private func closeStream(_ streamID: Int32, errorCode: HTTP2ErrorCode) {
        guard let stream = self.streams.removeValue(forKey: streamID), !stream.isClosed else { return }
        stream.isClosed = true
        stream.pendingData = nil
        self.owner.session(self, streamClosed: stream, error: self.closeError(of: stream, errorCode: errorCode))
    }

    private func closeError(of stream: NGHTTP2StreamState, errorCode: HTTP2ErrorCode) -> HTTP2Error? {
        if let reason = stream.closeReason {
            return reason
        }
        let completed = self.role == .server ? stream.localEnded : stream.remoteEnded
        if completed && stream.localResetCode == nil {
            return nil
        }
        if let localCode = stream.localResetCode {
            return HTTP2Error(code: .streamReset, message: "the stream was reset locally", errorCode: localCode)
        }
        if self.role == .client, let goAway = self.receivedGoAway, stream.id > goAway.lastStreamID {
            return HTTP2Error(
                code: .goAway,
                message: "the peer sent GOAWAY with last-stream-id \(goAway.lastStreamID) below stream \(stream.id)",
                errorCode: goAway.errorCode,
                requestNeverProcessed: true
            )
        }
        return HTTP2Error(
            code: .streamReset,
            message: "the peer reset stream \(stream.id)",
            errorCode: errorCode,
            requestNeverProcessed: self.role == .client && errorCode == .refusedStream
        )
    }

    private func readOutbound(
        _ stream: NGHTTP2StreamState,
        into buffer: UnsafeMutablePointer<UInt8>,
        length: Int,
        flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard !stream.isClosed else {
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        var written = 0
        while written < length, let first = stream.outbound.first {
            let count = min(length - written, first.readableBytes)
            first.withUnsafeReadableBytes { bytes in
                UnsafeMutableRawPointer(buffer + written).copyMemory(from: bytes.baseAddress!, byteCount: count)
            }
            written += count
            if count == first.readableBytes {
                stream.outbound.removeFirst()
            } else {
                stream.outbound[stream.outbound.startIndex].moveReaderIndex(forwardBy: count)
            }
        }
        stream.outboundBytes -= written
        if !stream.isWritable && stream.outboundBytes <= self.configuration.sendBufferHighWaterMark / 2 {
            stream.isWritable = true
            self.drainedStreams.append(stream)
        }
        guard stream.outbound.isEmpty else { return written }
        if stream.endRequested {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            if let trailers = stream.trailers, let session = self.session {
                stream.trailers = nil
                flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                let submitted = self.headerEncoder.withEncodedFields(trailers) { fields, count in
                    nghttp2_submit_trailer(session, stream.id, fields, count)
                }
                if submitted != 0 {
                    return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
                }
            }
            return written
        }
        if written == 0 {
            stream.dataDeferred = true
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        return written
    }
}
