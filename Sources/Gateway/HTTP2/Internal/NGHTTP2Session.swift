import CNGHTTP2
import NIOCore

/// Owns one `nghttp2_session` and drives it from a NIO channel: bytes in through `nghttp2_session_mem_recv`,
/// frames out through `nghttp2_session_mem_send`, events out to its `owner` (the server or client face).
///
/// Everything happens on the channel's event loop. The session is created in `init` and freed in
/// `handlerRemoved()` (or `deinit` if it was never added to a pipeline).
///
/// Re-entrancy: nghttp2 calls the C callbacks in `NGHTTP2Session+Callbacks.swift` from inside
/// `nghttp2_session_mem_recv` (header, data, frame and stream-close events, delivered to the owner synchronously)
/// and from inside `nghttp2_session_mem_send` (the data provider, frame-sent and stream-close events). The owner,
/// and the code it calls, may submit commands from there (nghttp2 allows `nghttp2_submit_*` and
/// `nghttp2_session_resume_data` in callbacks); they are sent by the drain loop, never by a nested `mem_send`
/// (`nghttp2CallDepth` guards it). No Swift exclusive access (an `inout` or a mutating method on a stored property)
/// is held open across a `mem_recv` / `mem_send` call. Closing the channel from a callback is postponed until the
/// outermost nghttp2 call has returned, and so is failing the streams of a channel that went inactive inside one
/// (NIO reports `channelInactive` from inside `close`, whoever calls it, and the stream table it empties is what
/// nghttp2's stream user data points into); meanwhile `isClosing` is set and the remaining callbacks of that
/// call deliver nothing. Freeing the session is postponed the same way.
///
/// Output: the drain loop copies `mem_send`'s chunks into one reused `ByteBuffer`, writes it every
/// `writeChunkSize` bytes while the channel is writable and flushes once at the end. It runs at the end of every
/// read batch (`channelReadComplete`), when the channel becomes writable again, and (coalesced to one per event-loop
/// tick) after commands issued outside a read batch. While the channel is not writable no frame is produced, so
/// the only memory that grows is the DATA the faces' users queued on their streams.
///
/// Back-pressure: each stream's queued DATA is held to `sendBufferHighWaterMark` by its users, who stop feeding a
/// stream that is not writable and resume when the owner reports `sendBufferDrained`; reports are gathered while
/// frames are produced and delivered once the drain loop is done. Received DATA is given back to the connection's
/// window as it arrives and to its stream's window as it is delivered, unless the stream's receiving is paused:
/// then the peer can send at most one more stream window (`initialWindowSize`) until it resumes.
final class NGHTTP2Session {
    /// Which side of the connection this session is.
    enum Role {
        case server
        case client
    }

    /// Bytes gathered from `mem_send` before they are written to the channel.
    static let writeChunkSize = 64 << 10

    let role: Role
    let configuration: HTTP2Configuration
    unowned let owner: any NGHTTP2SessionOwner
    let headerEncoder = NGHTTP2HeaderBlockEncoder()

    /// The nghttp2 session; nil once freed.
    private(set) var session: OpaquePointer?
    private(set) var context: ChannelHandlerContext?
    /// The open streams by id. Client streams are added when submitted, server streams when their first HEADERS
    /// frame begins.
    var streams: [Int32: NGHTTP2StreamState] = [:]
    /// The last GOAWAY received from the peer.
    private(set) var receivedGoAway: (lastStreamID: Int32, errorCode: HTTP2ErrorCode)?
    /// The channel became inactive or is being closed: no more input is processed and no stream may start.
    private(set) var isClosing = false
    /// The channel is inactive.
    private(set) var isClosed = false

    /// Grows with the largest chunk written so far (at most about `writeChunkSize`), so that an idle
    /// connection costs a few hundred bytes here rather than a whole chunk.
    private var outboundBuffer = ByteBuffer()
    let emptyBuffer = ByteBuffer()
    /// The ByteBuffer `mem_recv` is reading, so that DATA payloads can be handed out as slices of it.
    var currentInput: ByteBuffer?
    var currentInputBase: UnsafeRawPointer?
    private var isReadBatch = false
    private var flushScheduled = false
    private var isDraining = false
    /// The channel became writable again during a drain (its own flush emptied the socket's queue).
    private var becameWritableWhileDraining = false
    private var nghttp2CallDepth = 0
    private var freeRequested = false
    /// `closeChannel` was called inside an nghttp2 call; the channel closes once it has returned.
    private var closeDeferred = false
    /// The channel went inactive inside an nghttp2 call; its streams fail once it has returned.
    private var inactiveDeferred = false
    private var closeError: HTTP2Error?
    /// Streams whose queued DATA fell back under the low-water mark during the drain loop, to report after it.
    var drainedStreams: [NGHTTP2StreamState] = []
    /// A received header block has begun and not ended (server face; see `headerBlockTimeout`).
    var headerBlockOpen = false
    private var headerBlockTimer: Scheduled<Void>?

    init(role: Role, configuration: HTTP2Configuration, owner: any NGHTTP2SessionOwner) {
        self.role = role
        self.configuration = configuration
        self.owner = owner

        var callbacks: OpaquePointer?
        precondition(nghttp2_session_callbacks_new(&callbacks) == 0, "nghttp2_session_callbacks_new: out of memory")
        defer { nghttp2_session_callbacks_del(callbacks) }
        Self.installCallbacks(callbacks)

        var option: OpaquePointer?
        precondition(nghttp2_option_new(&option) == 0, "nghttp2_option_new: out of memory")
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_max_send_header_block_length(option, max(configuration.maxHeaderListSize, 64 << 10))
        // Window updates follow consumption, so that a paused stream stops its sender (see `receiveDataChunk`).
        nghttp2_option_set_no_auto_window_update(option, 1)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        var session: OpaquePointer?
        let created: Int32
        switch role {
        case .server:
            created = nghttp2_session_server_new2(&session, callbacks, userData, option)
        case .client:
            created = nghttp2_session_client_new2(&session, callbacks, userData, option)
        }
        precondition(created == 0, "nghttp2_session_new: out of memory")
        self.session = session
        self.submitInitialSettings()
    }

    deinit {
        if let session = self.session {
            nghttp2_session_del(session)
        }
    }

    private func submitInitialSettings() {
        var settings: [nghttp2_settings_entry] = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: UInt32(clamping: self.configuration.maxConcurrentStreams)
            ),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                value: UInt32(clamping: min(self.configuration.initialWindowSize, Int(Int32.max)))
            ),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue),
                value: UInt32(clamping: min(max(self.configuration.maxFrameSize, 16_384), 16_777_215))
            ),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                value: UInt32(clamping: self.configuration.maxHeaderListSize)
            ),
        ]
        if self.role == .client {
            settings.append(nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0))
        }
        let submitted = nghttp2_submit_settings(
            self.session,
            UInt8(NGHTTP2_FLAG_NONE.rawValue),
            settings,
            settings.count
        )
        precondition(submitted == 0, "nghttp2_submit_settings rejected valid settings")
        let windowSize = Int32(clamping: self.configuration.connectionWindowSize)
        if windowSize > 65_535 {
            nghttp2_session_set_local_window_size(self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, windowSize)
        }
    }

    // MARK: - Channel events, forwarded by the owning handler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            self.drain()
        }
    }

    func handlerRemoved() {
        self.context = nil
        self.freeSession()
    }

    func channelActive() {
        self.drain()
    }

    func channelRead(_ buffer: ByteBuffer) {
        guard let session = self.session, !self.isClosing else { return }
        self.isReadBatch = true
        self.currentInput = buffer
        let processed = buffer.withUnsafeReadableBytes { bytes -> Int in
            self.currentInputBase = UnsafeRawPointer(bytes.baseAddress)
            self.nghttp2CallDepth += 1
            defer { self.nghttp2CallDepth -= 1 }
            return nghttp2_session_mem_recv(
                session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        self.currentInput = nil
        self.currentInputBase = nil
        if self.freeRequested {
            self.freeSession()
        } else if processed < 0 {
            self.fail(.library(.protocolError, operation: "nghttp2_session_mem_recv", libraryError: processed))
        }
        self.closeIfDeferred()
    }

    func channelReadComplete() {
        self.isReadBatch = false
        self.timeHeaderBlock()
        self.drain()
    }

    /// Server face: a header block still open at the end of a read must end within `headerBlockTimeout`, or the
    /// connection, which it holds up, is closed.
    private func timeHeaderBlock() {
        guard self.headerBlockOpen else {
            self.headerBlockTimer?.cancel()
            self.headerBlockTimer = nil
            return
        }
        guard self.headerBlockTimer == nil, let timeout = self.configuration.headerBlockTimeout,
            let context = self.context
        else { return }
        self.headerBlockTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.headerBlockTimer = nil
            guard self.headerBlockOpen else { return }
            self.fail(
                HTTP2Error(code: .protocolError, message: "a request header block did not end within \(timeout)"),
                errorCode: .enhanceYourCalm)
        }
    }

    func channelWritabilityChanged() {
        guard self.context?.channel.isWritable == true else { return }
        if self.isDraining {
            // The drain loop's own flush made the channel writable again: NIO reports it synchronously from
            // inside `flush()`, so the loop must go round once more or the rest of the output waits for an
            // unrelated read.
            self.becameWritableWhileDraining = true
        } else {
            self.drain()
        }
    }

    func channelInactive() {
        self.headerBlockTimer?.cancel()
        self.headerBlockTimer = nil
        guard !self.isClosed else { return }
        self.isClosing = true
        self.isClosed = true
        if self.nghttp2CallDepth > 0 {
            // Closed from inside a callback (by this session or by anyone holding the channel): nghttp2 still
            // points at the streams' state, so they are failed once the outermost call has returned.
            self.inactiveDeferred = true
            return
        }
        self.failOpenStreams()
    }

    /// Fails every open stream with the connection's close error, and tells the owner the connection closed.
    private func failOpenStreams() {
        let error = self.closeError ?? HTTP2Error(code: .connectionClosed, message: "the connection closed")
        let open = self.streams.values.sorted { $0.id < $1.id }
        self.streams.removeAll()
        for stream in open where !stream.isClosed {
            stream.isClosed = true
            var streamError = error
            streamError.requestNeverProcessed = self.role == .client && !stream.headersSent
            self.owner.session(self, streamClosed: stream, error: streamError)
        }
        self.owner.session(self, connectionClosedWith: self.closeError)
    }

    // MARK: - Output

    /// Makes sure queued frames get written: at the end of the read batch if one is running, otherwise on the
    /// next event-loop tick (one drain per tick however many commands were issued).
    func scheduleFlush() {
        guard !self.isReadBatch, !self.isDraining, !self.flushScheduled, let context = self.context else { return }
        self.flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.drain()
        }
    }

    /// Writes everything nghttp2 wants to send, while the channel is writable, with one flush.
    func drain() {
        guard let context = self.context, let session = self.session, !self.isDraining, self.nghttp2CallDepth == 0,
            context.channel.isActive
        else { return }
        self.isDraining = true
        var sendError = 0
        repeat {
            self.becameWritableWhileDraining = false
            sendError = self.writePendingFrames(context: context, session: session)
        } while self.becameWritableWhileDraining && sendError == 0 && !self.freeRequested && !self.isClosing
        self.isDraining = false
        if self.freeRequested {
            self.freeSession()
        } else if sendError != 0 {
            self.fail(.library(operation: "nghttp2_session_mem_send", libraryError: sendError))
        } else if nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 {
            self.closeChannel(error: self.closeError)
        }
        self.closeIfDeferred()
        self.reportDrainedStreams()
    }

    /// Tells the owner which streams can take more DATA again (they may be fed at once: what they are given is
    /// sent on the next drain).
    private func reportDrainedStreams() {
        while !self.drainedStreams.isEmpty && !self.isClosing {
            let drained = self.drainedStreams
            self.drainedStreams.removeAll()
            for stream in drained where !stream.isClosed && stream.isWritable {
                self.owner.session(self, sendBufferDrained: stream)
            }
        }
        self.drainedStreams.removeAll()
    }

    /// Writes frames from `mem_send` in chunks while the channel is writable, then flushes once.
    ///
    /// - Returns: 0, or the negative nghttp2 error `mem_send` returned.
    private func writePendingFrames(context: ChannelHandlerContext, session: OpaquePointer) -> Int {
        var wroteAny = false
        var sendError = 0
        writing: while context.channel.isWritable {
            var chunkStarted = false
            while true {
                var pointer: UnsafePointer<UInt8>?
                self.nghttp2CallDepth += 1
                let count = nghttp2_session_mem_send(session, &pointer)
                self.nghttp2CallDepth -= 1
                if count < 0 {
                    sendError = count
                    break
                }
                guard count > 0, let pointer else { break }
                if !chunkStarted {
                    self.outboundBuffer.clear()
                    chunkStarted = true
                }
                self.outboundBuffer.writeBytes(UnsafeRawBufferPointer(start: pointer, count: count))
                if self.outboundBuffer.readableBytes >= Self.writeChunkSize || self.freeRequested {
                    break
                }
            }
            if chunkStarted {
                context.write(NIOAny(self.outboundBuffer), promise: nil)
                wroteAny = true
            }
            if !chunkStarted || sendError != 0 || self.freeRequested || self.isClosing {
                break writing
            }
        }
        if wroteAny {
            context.flush()
        }
        return sendError
    }

    // MARK: - Closing

    /// Terminates the session with GOAWAY (`errorCode`), writes what is queued and closes the channel.
    func fail(_ error: HTTP2Error, errorCode: HTTP2ErrorCode = .protocolError) {
        if self.closeError == nil {
            self.closeError = error
        }
        if let session = self.session, !self.isClosing {
            nghttp2_session_terminate_session(session, errorCode.rawValue)
            self.drain()
        }
        self.closeChannel(error: error)
    }

    /// Closes the channel; open streams fail with `error` (or "connection closed") when it becomes inactive.
    func closeChannel(error: HTTP2Error?) {
        if self.closeError == nil {
            self.closeError = error
        }
        guard !self.isClosing else { return }
        self.isClosing = true
        if self.nghttp2CallDepth > 0 {
            self.closeDeferred = true
        } else {
            self.context?.close(promise: nil)
        }
    }

    /// Carries out a close that a callback asked for: writes what is queued (a GOAWAY) and closes the channel,
    /// or fails the streams of a channel that went inactive meanwhile.
    private func closeIfDeferred() {
        guard self.nghttp2CallDepth == 0 else { return }
        if self.closeDeferred {
            self.closeDeferred = false
            self.drain()
            self.context?.close(promise: nil)
        }
        if self.inactiveDeferred {
            self.inactiveDeferred = false
            self.failOpenStreams()
        }
    }

    func recordCloseError(_ error: HTTP2Error) {
        if self.closeError == nil {
            self.closeError = error
        }
    }

    func recordGoAway(lastStreamID: Int32, errorCode: HTTP2ErrorCode) {
        self.receivedGoAway = (lastStreamID, errorCode)
        if errorCode != .noError {
            self.recordCloseError(
                HTTP2Error(code: .goAway, message: "the peer sent GOAWAY", errorCode: errorCode)
            )
        }
    }

    private func freeSession() {
        guard self.nghttp2CallDepth == 0 else {
            self.freeRequested = true
            return
        }
        self.freeRequested = false
        if let session = self.session {
            self.session = nil
            nghttp2_session_del(session)
        }
    }
}
