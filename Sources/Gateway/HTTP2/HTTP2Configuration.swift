import NIOCore

/// Settings of one HTTP/2 connection, server or client face.
package struct HTTP2Configuration: Sendable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to the peer: how many streams the peer may open at once.
    /// Streams above it are refused with REFUSED_STREAM. Default 1000.
    package var maxConcurrentStreams: Int
    /// SETTINGS_INITIAL_WINDOW_SIZE advertised to the peer, in bytes: how much DATA the peer may send on one stream
    /// before this side consumes it. Received DATA is consumed as it is delivered, unless the stream's receiving is
    /// paused (`pauseReceiving()`): then this is the most that still arrives. Default 65,535 (the protocol's default).
    package var initialWindowSize: Int
    /// The connection-level receive window, in bytes (sent as a WINDOW_UPDATE on stream 0). DATA is given back to it
    /// as it arrives, whether or not its stream is paused, so that one paused stream never stops the others.
    /// Default 1 MiB.
    package var connectionWindowSize: Int
    /// SETTINGS_MAX_FRAME_SIZE advertised to the peer, in bytes (16,384 to 16,777,215). Default 16,384.
    package var maxFrameSize: Int
    /// SETTINGS_MAX_HEADER_LIST_SIZE advertised to the peer, in bytes as HTTP/2 counts them (name + value + 32 per
    /// field). A received header block over it is not delivered: the server face reports it to its delegate
    /// (which answers 431) and the client face resets the stream and fails it with
    /// `HTTP2Error.Code.headerListTooLarge`. Default 16 KiB.
    package var maxHeaderListSize: Int
    /// Client face: how long to wait for the peer's first SETTINGS frame after TCP connected. Default 5 s.
    package var handshakeTimeout: TimeAmount
    /// How many bytes of DATA one stream may hold queued for sending (`bufferedBytes`) before `isWritable` turns
    /// false; it turns true again, and the stream's delegate hears of it, once they fell to half of this. Those who
    /// feed the stream stop while it is not writable. Default 64 KiB.
    package var sendBufferHighWaterMark: Int
    /// Server face: the longest a header block may stay open (a HEADERS frame without END_HEADERS awaiting its
    /// CONTINUATION frames, which hold up every other stream of the connection) after the read that brought its
    /// start; then the connection is closed with GOAWAY ENHANCE_YOUR_CALM. `nil` for no limit. Default `nil`.
    package var headerBlockTimeout: TimeAmount?
    /// Client face: how long to wait for the TCP connection. Default 5 s.
    package var connectTimeout: TimeAmount
    /// Client face: the interval between keepalive PINGs, or `nil` for none. Default `nil` (off).
    package var keepaliveInterval: TimeAmount?
    /// Client face: how long to wait for a keepalive PING's acknowledgement before closing the connection as dead.
    /// Only used when `keepaliveInterval` is set. Default 20 s.
    package var keepaliveTimeout: TimeAmount

    /// The documented defaults.
    package static var defaults: Self {
        Self()
    }

    /// Creates a configuration; every parameter defaults to the value in `defaults`.
    package init(
        maxConcurrentStreams: Int = 1000,
        initialWindowSize: Int = 65_535,
        connectionWindowSize: Int = 1 << 20,
        maxFrameSize: Int = 16_384,
        maxHeaderListSize: Int = 16 << 10,
        sendBufferHighWaterMark: Int = 64 << 10,
        headerBlockTimeout: TimeAmount? = nil,
        handshakeTimeout: TimeAmount = .seconds(5),
        connectTimeout: TimeAmount = .seconds(5),
        keepaliveInterval: TimeAmount? = nil,
        keepaliveTimeout: TimeAmount = .seconds(20)
    ) {
        self.maxConcurrentStreams = maxConcurrentStreams
        self.initialWindowSize = initialWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.maxFrameSize = maxFrameSize
        self.maxHeaderListSize = maxHeaderListSize
        self.sendBufferHighWaterMark = sendBufferHighWaterMark
        self.headerBlockTimeout = headerBlockTimeout
        self.handshakeTimeout = handshakeTimeout
        self.connectTimeout = connectTimeout
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveTimeout = keepaliveTimeout
    }
}
