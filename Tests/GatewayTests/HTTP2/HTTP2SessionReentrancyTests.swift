import Gateway
import NIOCore
import NIOEmbedded
import Testing

/// Closing the connection from inside nghttp2's callbacks, while frames of other streams wait in the same read.
@Suite("HTTP/2 session re-entrancy")
struct HTTP2SessionReentrancyTests {
    /// A server delegate that closes the connection as soon as the second stream's headers arrive, and records
    /// every event it gets. It keeps no stream, so a stream's state lives only as long as the session keeps it.
    final class ClosingDelegate: HTTP2ServerStreamDelegate {
        let channel: any Channel
        private(set) var headers: [Int32] = []
        private(set) var dataAfterClose = 0
        private(set) var closures: [Int32: Int] = [:]
        /// Stream closures that re-entered the delegate from inside its own `close` call.
        private(set) var closuresInsideClose = 0
        private var closed = false

        init(channel: any Channel) {
            self.channel = channel
        }

        func requestHeadersReceived(on stream: HTTP2ServerStream, headers: [HTTP2Header], endStream: Bool) {
            if closed { dataAfterClose += 1 }
            self.headers.append(stream.id)
            if self.headers.count == 2 {
                closed = true
                let before = closures.values.reduce(0, +)
                channel.close(promise: nil)
                closuresInsideClose = closures.values.reduce(0, +) - before
            }
        }

        func requestDataReceived(on stream: HTTP2ServerStream, data: ByteBuffer, endStream: Bool) {
            if closed { dataAfterClose += 1 }
        }

        func sendBufferDrained(on stream: HTTP2ServerStream) {}

        func requestHeadersTooLarge(on stream: HTTP2ServerStream) {}

        func streamClosed(_ stream: HTTP2ServerStream, error: HTTP2Error?) {
            closures[stream.id, default: 0] += 1
        }
    }

    @Test("a delegate that closes the connection while two streams are inside one read: no crash, nothing after")
    func closeInsideRead() throws {
        let server = EmbeddedChannel()
        let delegate = ClosingDelegate(channel: server)
        try server.pipeline.syncOperations.addHandler(
            HTTP2ServerConnectionHandler(configuration: .defaults, delegate: delegate))
        try server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let clientChannel = EmbeddedChannel()
        let connecting = HTTP2ClientConnection.start(
            on: clientChannel, configuration: .defaults, delegate: RecordingConnectionDelegate())
        try clientChannel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
        var connection: HTTP2ClientConnection?
        connecting.assumeIsolated().whenSuccess { connection = $0 }
        for _ in 0..<4 {
            try Self.move(from: clientChannel, to: server)
            try Self.move(from: server, to: clientChannel)
        }
        let client = try #require(connection)

        // Two streams with a body each, so that each stream has frames after the other's headers.
        var recorders: [RecordingClientStream] = []
        for _ in 0..<2 {
            let recorder = RecordingClientStream()
            let stream = try client.startStream(
                headers: HTTP2Header.grpcRequest(path: "/echo.Echo/Unary"), endStream: false, delegate: recorder)
            stream.sendData(.grpcMessage(Array(repeating: 7, count: 100)), endStream: true)
            recorders.append(recorder)
        }
        clientChannel.embeddedEventLoop.run()
        var pending = ByteBuffer()
        while var bytes = try clientChannel.readOutbound(as: ByteBuffer.self) {
            pending.writeBuffer(&bytes)
        }
        try server.writeInbound(pending)
        server.pipeline.fireChannelReadComplete()
        server.embeddedEventLoop.run()

        #expect(delegate.headers == [1, 3])
        #expect(!server.isActive, "the connection closed once nghttp2 returned")
        #expect(delegate.dataAfterClose == 0, "nothing was delivered after the close was asked for")
        #expect(delegate.closuresInsideClose == 0, "the close waited for nghttp2 to return before failing the streams")
        #expect(delegate.closures == [1: 1, 3: 1], "each stream's closure reported exactly once")
    }

    /// Moves every byte `from` wrote into `to`.
    static func move(from: EmbeddedChannel, to: EmbeddedChannel) throws {
        from.embeddedEventLoop.run()
        while let bytes = try from.readOutbound(as: ByteBuffer.self) {
            if to.isActive { try to.writeInbound(bytes) }
        }
        to.pipeline.fireChannelReadComplete()
    }
}
