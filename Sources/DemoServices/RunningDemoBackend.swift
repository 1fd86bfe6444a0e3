import GRPCCore
import GRPCNIOTransportHTTP2

/// A demo gRPC server that is listening.
///
/// Started by ``DemoBackend/start(kind:name:host:port:maxConcurrentStreams:libraryStore:)``; stopped by
/// ``stop(gracePeriod:)`` or ``kill()``.
public final class RunningDemoBackend: Sendable {
    /// The service it serves.
    public let kind: DemoBackend.Kind
    /// The instance's name, e.g. "echo-1".
    public let name: String
    /// The IPv4 address it listens on.
    public let host: String
    /// The port it listens on.
    public let port: Int

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    /// Runs `server.serve()`; it ends when the server has stopped.
    private let serving: Task<Void, any Error>

    private init(
        kind: DemoBackend.Kind,
        name: String,
        host: String,
        port: Int,
        server: GRPCServer<HTTP2ServerTransport.Posix>,
        serving: Task<Void, any Error>
    ) {
        self.kind = kind
        self.name = name
        self.host = host
        self.port = port
        self.server = server
        self.serving = serving
    }

    /// Serves `server` in a new task and waits until it listens.
    static func start(
        kind: DemoBackend.Kind,
        name: String,
        server: GRPCServer<HTTP2ServerTransport.Posix>
    ) async throws -> RunningDemoBackend {
        let serving = Task { try await server.serve() }
        let address: GRPCNIOTransportCore.SocketAddress
        do {
            address = try await server.transport.listeningAddress
        } catch {
            serving.cancel()
            // The task's own error (e.g. the bind failure) says more than the listening-address error.
            try await serving.value
            throw error
        }
        guard let ipv4 = address.ipv4 else {
            server.beginGracefulShutdown()
            serving.cancel()
            _ = try? await serving.value
            throw RPCError(code: .internalError, message: "the demo backend listens on \(address), not IPv4")
        }
        return RunningDemoBackend(
            kind: kind,
            name: name,
            host: ipv4.host,
            port: ipv4.port,
            server: server,
            serving: serving
        )
    }

    /// Stops gracefully: the server stops listening, sends GOAWAY on every connection and lets in-flight calls
    /// finish; calls still running after `gracePeriod` are cancelled. Returns once the server has stopped.
    ///
    /// There is no abrupt stop: cancelling grpc-swift's serving task while a connection is being accepted traps
    /// in NIOAsyncWriter (swift-nio issue 3481). Tests that need a backend to crash run one in its own process
    /// and kill it.
    ///
    /// - Parameter gracePeriod: How long in-flight calls may take to finish.
    public func stop(gracePeriod: Duration = .seconds(10)) async {
        self.server.beginGracefulShutdown()
        let serving = self.serving
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await serving.value }
            group.addTask {
                // A cancelled sleep means the server stopped first.
                if (try? await Task.sleep(for: gracePeriod)) != nil {
                    serving.cancel()
                }
            }
            await group.next()
            group.cancelAll()
            await group.waitForAll()
        }
    }
}
