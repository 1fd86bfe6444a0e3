import NIOCore
import NIOPosix

/// An upstream HTTP/2 connection over h2c (prior knowledge): one nghttp2 client session on which request
/// streams are multiplexed.
///
/// Bound to its event loop: create it and call it there only. The connection stays alive while its channel is
/// open (the channel's handler holds it), so a pool may drop it once `connectionClosed` was reported.
package final class HTTP2ClientConnection {
    /// The connection's event loop.
    package let eventLoop: any EventLoop
    private let configuration: HTTP2Configuration
    private weak var delegate: (any HTTP2ClientConnectionDelegate)?
    private(set) lazy var session = NGHTTP2Session(role: .client, configuration: self.configuration, owner: self)

    private var handshakePromise: EventLoopPromise<HTTP2ClientConnection>?
    private var closePromise: EventLoopPromise<Void>?
    private var handshakeTimer: Scheduled<Void>?
    private var keepaliveTimer: Scheduled<Void>?
    private var pingTimeoutTimer: Scheduled<Void>?
    private var isHandshakeComplete = false
    private var isCloseRequested = false

    private init(
        eventLoop: any EventLoop, configuration: HTTP2Configuration,
        delegate: (any HTTP2ClientConnectionDelegate)?
    ) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.delegate = delegate
        self.closePromise = eventLoop.makePromise(of: Void.self)
        self.closeFuture = self.closePromise!.futureResult
    }

    /// Succeeds once the connection is over: its channel closed (after `connectionClosed` was reported), or it
    /// never opened.
    package let closeFuture: EventLoopFuture<Void>

    /// Opens a TCP connection and sends the HTTP/2 preface and SETTINGS. Call on `eventLoop`.
    ///
    /// - Parameters:
    ///   - host: The peer's host name or address.
    ///   - port: The peer's port.
    ///   - eventLoop: The loop the connection lives on (of a `MultiThreadedEventLoopGroup`).
    ///   - configuration: Settings, timeouts and keepalive.
    ///   - delegate: Learns of GOAWAY, closure and capacity changes; held weakly.
    /// - Returns: A future that succeeds once the peer's SETTINGS arrived, and fails with an `HTTP2Error`
    ///   (`.connectFailed`, `.handshakeTimeout` when the peer accepts TCP but does not speak HTTP/2 within
    ///   `configuration.handshakeTimeout`, or `.connectionClosed`).
    package static func connect(
        host: String,
        port: Int,
        eventLoop: any EventLoop,
        configuration: HTTP2Configuration,
        delegate: (any HTTP2ClientConnectionDelegate)?
    ) -> EventLoopFuture<HTTP2ClientConnection> {
        eventLoop.preconditionInEventLoop()
        let connection = HTTP2ClientConnection(eventLoop: eventLoop, configuration: configuration, delegate: delegate)
        let promise = eventLoop.makePromise(of: HTTP2ClientConnection.self)
        connection.handshakePromise = promise
        // The session (nghttp2's state, its buffers) joins the channel once TCP is up: a pod that refuses or never
        // answers costs no session. The connect future completes on the loop before the first read, so nothing
        // the peer sends can pass the handler by.
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        // An IP address (what discovery yields) skips the resolver and happy eyeballs, whose timers cost
        // every connection attempt a scan of the loop's scheduled tasks.
        let connected =
            if let address = try? SocketAddress(ipAddress: host, port: port) {
                bootstrap.connect(to: address)
            } else {
                bootstrap.connect(host: host, port: port)
            }
        connected
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel) where connection.handshakePromise == nil:
                    // Closed while connecting.
                    channel.close(promise: nil)
                    connection.completeClose()
                case .success(let channel):
                    do {
                        try channel.pipeline.syncOperations.addHandler(HTTP2ClientChannelHandler(connection: connection))
                    } catch {
                        channel.close(promise: nil)
                        connection.failConnect(to: host, port: port, cause: error)
                    }
                case .failure(let error):
                    connection.failConnect(to: host, port: port, cause: error)
                }
            }
        return promise.futureResult
    }

    /// Runs an HTTP/2 client session on a channel the caller opened (e.g. with its own bootstrap or over TLS),
    /// active or not yet connected. Call on the channel's event loop.
    ///
    /// - Parameters:
    ///   - channel: The channel; the connection's handler is added as its last handler.
    ///   - configuration: Settings, timeouts and keepalive (`connectTimeout` is the caller's business here).
    ///   - delegate: Learns of GOAWAY, closure and capacity changes; held weakly.
    /// - Returns: A future that succeeds once the peer's SETTINGS arrived (see `connect`).
    package static func start(
        on channel: any Channel,
        configuration: HTTP2Configuration,
        delegate: (any HTTP2ClientConnectionDelegate)?
    ) -> EventLoopFuture<HTTP2ClientConnection> {
        channel.eventLoop.preconditionInEventLoop()
        let connection = HTTP2ClientConnection(
            eventLoop: channel.eventLoop,
            configuration: configuration,
            delegate: delegate
        )
        let promise = channel.eventLoop.makePromise(of: HTTP2ClientConnection.self)
        connection.handshakePromise = promise
        do {
            try channel.pipeline.syncOperations.addHandler(HTTP2ClientChannelHandler(connection: connection))
        } catch {
            connection.completeClose()
            connection.failHandshake(
                HTTP2Error(
                    code: .connectFailed,
                    message: "adding the HTTP/2 handler failed",
                    requestNeverProcessed: true,
                    cause: error
                )
            )
        }
        return promise.futureResult
    }

    /// Connected, handshake done, not closing, no GOAWAY received.
    package var isActive: Bool {
        self.isHandshakeComplete && !self.isCloseRequested && !self.session.isClosing
            && self.session.receivedGoAway == nil
    }

    /// Streams started and not yet closed.
    package var openStreamCount: Int {
        self.session.streams.count
    }

    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS (`Int.max` if it set none).
    package var peerMaxConcurrentStreams: Int {
        self.session.peerMaxConcurrentStreams
    }

    /// Starts a request stream with the given header block (`:method`, `:scheme`, `:path`, `:authority`, then
    /// regular fields).
    ///
    /// - Parameters:
    ///   - headers: The request's header block.
    ///   - endStream: True when the request has no body.
    ///   - delegate: Receives the response; held until the stream closed.
    /// - Returns: The stream, whose HEADERS frame is written on the next event-loop tick (or at the end of the
    ///   current read batch).
    /// - Throws: `HTTP2Error` with `.streamUnavailable` and `requestNeverProcessed` when the connection is not
    ///   active or already has `peerMaxConcurrentStreams` open streams.
    package func startStream(
        headers: [HTTP2Header],
        endStream: Bool,
        delegate: any HTTP2ClientStreamDelegate
    ) throws(HTTP2Error) -> HTTP2ClientStream {
        self.eventLoop.assertInEventLoop()
        guard self.isActive else {
            throw HTTP2Error(
                code: .streamUnavailable,
                message: "the connection is not active",
                requestNeverProcessed: true
            )
        }
        guard self.openStreamCount < self.peerMaxConcurrentStreams else {
            throw HTTP2Error(
                code: .streamUnavailable,
                message: "the peer allows \(self.peerMaxConcurrentStreams) concurrent streams",
                requestNeverProcessed: true
            )
        }
        let state = NGHTTP2StreamState(id: 0)
        let stream = HTTP2ClientStream(state: state, session: self.session, delegate: delegate)
        state.face = stream
        do {
            try self.session.submitRequest(headers, endStream: endStream, stream: state)
        } catch {
            state.face = nil
            stream.delegate = nil
            throw error
        }
        return stream
    }

    /// Closes the connection: with `graceful`, sends GOAWAY and closes once the open streams are done; otherwise
    /// at once, failing the open streams with `.connectionClosed`.
    package func close(graceful: Bool) {
        self.eventLoop.assertInEventLoop()
        guard !self.isCloseRequested else {
            if !graceful {
                self.closeNow()
            }
            return
        }
        self.isCloseRequested = true
        if graceful {
            self.session.submitGoAway(lastStreamID: 0, errorCode: .noError)
        } else {
            self.closeNow()
        }
    }

    private func closeNow() {
        self.session.closeChannel(error: nil)
        if self.session.context == nil {
            self.failHandshake(HTTP2Error(code: .connectionClosed, message: "the connection was closed locally"))
        }
    }

    // MARK: - Handshake and keepalive

    func channelActive() {
        self.session.channelActive()
        self.startHandshakeTimer()
    }

    func startHandshakeTimer() {
        guard self.handshakePromise != nil, self.handshakeTimer == nil else { return }
        self.handshakeTimer = self.eventLoop.assumeIsolated().scheduleTask(in: self.configuration.handshakeTimeout) {
            let error = HTTP2Error(
                code: .handshakeTimeout,
                message: "the peer sent no HTTP/2 SETTINGS within \(self.configuration.handshakeTimeout)",
                requestNeverProcessed: true
            )
            self.failHandshake(error)
            self.session.closeChannel(error: error)
        }
    }

    private func failHandshake(_ error: HTTP2Error) {
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        if let promise = self.handshakePromise {
            self.handshakePromise = nil
            promise.fail(error)
        }
    }

    private func failConnect(to host: String, port: Int, cause: any Error) {
        completeClose()
        failHandshake(
            HTTP2Error(
                code: .connectFailed, message: "connecting to \(host):\(port) failed", requestNeverProcessed: true,
                cause: cause))
    }

    private func completeClose() {
        if let promise = self.closePromise {
            self.closePromise = nil
            promise.succeed()
        }
    }

    private func scheduleKeepalive() {
        guard let interval = self.configuration.keepaliveInterval else { return }
        self.keepaliveTimer = self.eventLoop.assumeIsolated().scheduleTask(in: interval) {
            self.keepaliveTimer = nil
            guard !self.session.isClosing else { return }
            self.session.submitPing()
            self.pingTimeoutTimer = self.eventLoop.assumeIsolated().scheduleTask(
                in: self.configuration.keepaliveTimeout
            ) {
                self.pingTimeoutTimer = nil
                self.session.closeChannel(
                    error: HTTP2Error(
                        code: .keepaliveTimeout,
                        message: "no PING acknowledgement within \(self.configuration.keepaliveTimeout)"
                    )
                )
            }
        }
    }

    private func cancelTimers() {
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.keepaliveTimer?.cancel()
        self.keepaliveTimer = nil
        self.pingTimeoutTimer?.cancel()
        self.pingTimeoutTimer = nil
    }
}

extension HTTP2ClientConnection: NGHTTP2SessionOwner {
    func session(
        _ session: NGHTTP2Session,
        receivedHeaders headers: [HTTP2Header],
        kind: NGHTTP2HeaderBlockKind,
        endStream: Bool,
        on state: NGHTTP2StreamState
    ) {
        guard let face = state.face else { return }
        let stream = unsafeDowncast(face, to: HTTP2ClientStream.self)
        switch kind {
        case .initial:
            stream.delegate?.responseHeadersReceived(headers, endStream: endStream)
        case .trailers:
            if endStream {
                stream.delegate?.responseTrailersReceived(headers)
            }
        }
    }

    func session(_ session: NGHTTP2Session, receivedOversizedHeadersOn state: NGHTTP2StreamState) {
        state.closeReason = HTTP2Error(
            code: .headerListTooLarge,
            message: "a response header block exceeded \(self.configuration.maxHeaderListSize) bytes",
            errorCode: .internalError
        )
        session.submitReset(.internalError, on: state)
    }

    func session(
        _ session: NGHTTP2Session,
        receivedData data: ByteBuffer,
        endStream: Bool,
        on state: NGHTTP2StreamState
    ) {
        guard let face = state.face else { return }
        unsafeDowncast(face, to: HTTP2ClientStream.self).delegate?.responseDataReceived(data, endStream: endStream)
    }

    func session(_ session: NGHTTP2Session, streamClosed state: NGHTTP2StreamState, error: HTTP2Error?) {
        guard let face = state.face else { return }
        state.face = nil
        let stream = unsafeDowncast(face, to: HTTP2ClientStream.self)
        let delegate = stream.delegate
        stream.delegate = nil
        delegate?.streamClosed(error: error)
        if !session.isClosed {
            self.delegate?.connectionStreamCapacityChanged(self)
        }
    }

    func session(_ session: NGHTTP2Session, sendBufferDrained state: NGHTTP2StreamState) {
        guard let face = state.face else { return }
        unsafeDowncast(face, to: HTTP2ClientStream.self).delegate?.sendBufferDrained()
    }

    func sessionReceivedSettings(_ session: NGHTTP2Session) {
        if let promise = self.handshakePromise {
            self.handshakePromise = nil
            self.handshakeTimer?.cancel()
            self.handshakeTimer = nil
            self.isHandshakeComplete = true
            self.scheduleKeepalive()
            promise.assumeIsolated().succeed(self)
        } else {
            self.delegate?.connectionStreamCapacityChanged(self)
        }
    }

    func session(_ session: NGHTTP2Session, receivedGoAway lastStreamID: Int32, errorCode: HTTP2ErrorCode) {
        self.delegate?.connectionReceivedGoAway(self, lastStreamID: lastStreamID, errorCode: errorCode)
    }

    func sessionReceivedPingAcknowledgement(_ session: NGHTTP2Session) {
        guard let timer = self.pingTimeoutTimer else { return }
        timer.cancel()
        self.pingTimeoutTimer = nil
        self.scheduleKeepalive()
    }

    func session(_ session: NGHTTP2Session, connectionClosedWith error: HTTP2Error?) {
        self.cancelTimers()
        self.failHandshake(
            error
                ?? HTTP2Error(
                    code: .connectionClosed,
                    message: "the connection closed before the HTTP/2 handshake",
                    requestNeverProcessed: true
                )
        )
        if self.isHandshakeComplete {
            self.delegate?.connectionClosed(self, error: error)
        }
        self.completeClose()
    }
}

@available(*, unavailable)
extension HTTP2ClientConnection: Sendable {}
