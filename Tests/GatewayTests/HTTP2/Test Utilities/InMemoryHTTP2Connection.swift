import Gateway
import NIOCore
import NIOEmbedded

/// An HTTP/2 server face and client face wired together in memory over two `EmbeddedChannel`s.
///
/// Use it from synchronous tests only (embedded event loops check their thread). `exchange()` moves bytes both
/// ways, running each side's event loop, until neither side has anything left to send.
final class InMemoryHTTP2Connection {
    let serverChannel: EmbeddedChannel
    let clientChannel: EmbeddedChannel
    let serverDelegate: EchoStreamDelegate
    let serverHandler: HTTP2ServerConnectionHandler
    let connectionDelegate = RecordingConnectionDelegate()
    private(set) var client: HTTP2ClientConnection!
    /// Every frame the server wrote, in order.
    private(set) var serverFrames: [RawHTTP2Frame] = []
    /// Every frame the client wrote, in order (after the connection preface).
    private(set) var clientFrames: [RawHTTP2Frame] = []
    private var serverReader = RawHTTP2FrameReader(expectsPreface: false)
    private var clientReader = RawHTTP2FrameReader(expectsPreface: true)

    init(
        serverConfiguration: HTTP2Configuration = .defaults,
        clientConfiguration: HTTP2Configuration = .defaults
    ) throws {
        self.serverDelegate = EchoStreamDelegate()
        self.serverHandler = HTTP2ServerConnectionHandler(
            configuration: serverConfiguration,
            delegate: self.serverDelegate
        )
        self.serverChannel = EmbeddedChannel()
        self.clientChannel = EmbeddedChannel()
        try self.serverChannel.pipeline.syncOperations.addHandler(self.serverHandler)
        try self.serverChannel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        let future = HTTP2ClientConnection.start(
            on: self.clientChannel,
            configuration: clientConfiguration,
            delegate: self.connectionDelegate
        )
        try self.clientChannel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
        var connected: Result<HTTP2ClientConnection, any Error>?
        future.assumeIsolated().whenComplete { connected = $0 }
        try self.exchange()
        guard let connected else {
            throw HTTP2Error(code: .handshakeTimeout, message: "the in-memory handshake did not complete")
        }
        self.client = try connected.get()
    }

    /// Moves bytes both ways until both sides are quiet.
    func exchange() throws {
        var idleRounds = 0
        while idleRounds < 2 {
            self.clientChannel.embeddedEventLoop.run()
            self.serverChannel.embeddedEventLoop.run()
            var moved = false
            while let bytes = try self.clientChannel.readOutbound(as: ByteBuffer.self) {
                moved = true
                self.clientFrames += self.clientReader.frames(from: bytes)
                if self.serverChannel.isActive {
                    try self.serverChannel.writeInbound(bytes)
                }
            }
            self.serverChannel.pipeline.fireChannelReadComplete()
            while let bytes = try self.serverChannel.readOutbound(as: ByteBuffer.self) {
                moved = true
                self.serverFrames += self.serverReader.frames(from: bytes)
                if self.clientChannel.isActive {
                    try self.clientChannel.writeInbound(bytes)
                }
            }
            self.clientChannel.pipeline.fireChannelReadComplete()
            idleRounds = moved ? 0 : idleRounds + 1
        }
    }

    /// Starts a gRPC-like stream recorded by a `RecordingClientStream`.
    func startStream(
        path: String = "/echo.Echo/Unary",
        endStream: Bool = false
    ) throws -> (HTTP2ClientStream, RecordingClientStream) {
        let recorder = RecordingClientStream()
        let stream = try self.client.startStream(
            headers: HTTP2Header.grpcRequest(path: path),
            endStream: endStream,
            delegate: recorder
        )
        return (stream, recorder)
    }
}
