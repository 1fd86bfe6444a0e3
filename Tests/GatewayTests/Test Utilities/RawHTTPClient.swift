import NIOCore
import NIOPosix
import Synchronization

/// Sends raw bytes over TCP and returns everything the server sent until it closed the connection, for
/// requests no well-behaved client would send.
enum RawHTTPClient {
    /// How long an exchange waits for the server to close; generous, for a machine loaded by the whole suite.
    static let timeout = TimeAmount.seconds(30)

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let received = Mutex<[UInt8]>([])
        let closed: EventLoopPromise<[UInt8]>

        init(closed: EventLoopPromise<[UInt8]>) {
            self.closed = closed
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            received.withLock { $0.append(contentsOf: bytes.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.succeed(received.withLock { $0 })
        }
    }

    /// Writes `request` to `host:port` and returns the reply bytes as text, once the server closes (or after
    /// `timeout`).
    ///
    /// - Parameter halfClose: Shut the client's write side once the request is written, as a client that has
    ///   nothing more to send does (the server then sees the end of its input).
    static func exchange(_ request: [UInt8], host: String, port: Int, halfClose: Bool = false) async throws -> String {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(closed: promise))
                }
            }
            .connect(host: host, port: port).get()
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: request))
            if halfClose { try await channel.close(mode: .output) }
        } catch {
            // The server may answer and close before it has read everything (a refused upload): what it sent
            // is still the reply.
        }
        let timeout = channel.eventLoop.scheduleTask(in: Self.timeout) { channel.close(promise: nil) }
        let reply = try await promise.futureResult.get()
        timeout.cancel()
        return String(decoding: reply, as: UTF8.self)
    }
}
