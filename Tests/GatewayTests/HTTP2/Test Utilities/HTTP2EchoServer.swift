import Gateway
import NIOCore
import NIOPosix

/// A tiny h2c echo server on 127.0.0.1 built on `HTTP2ServerConnectionHandler` and `EchoStreamDelegate`.
final class HTTP2EchoServer: Sendable {
    let channel: any Channel
    let statistics: ServerStreamStatistics

    var port: Int { self.channel.localAddress?.port ?? 0 }

    private init(channel: any Channel, statistics: ServerStreamStatistics) {
        self.channel = channel
        self.statistics = statistics
    }

    static func start(
        group: any EventLoopGroup,
        configuration: HTTP2Configuration = .defaults
    ) async throws -> HTTP2EchoServer {
        let statistics = ServerStreamStatistics()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = HTTP2ServerConnectionHandler(
                        configuration: configuration,
                        delegate: EchoStreamDelegate(statistics: statistics)
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return HTTP2EchoServer(channel: channel, statistics: statistics)
    }

    func stop() async throws {
        try await self.channel.close()
    }
}
