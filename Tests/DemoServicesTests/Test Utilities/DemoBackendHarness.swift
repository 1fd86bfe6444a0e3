import DemoServices
import GRPCCore
import GRPCNIOTransportHTTP2

/// Runs `body` with a started demo backend, and stops the backend afterwards, whatever happens.
@discardableResult
func withBackend<Result: Sendable>(
    _ kind: DemoBackend.Kind,
    name: String = "test-1",
    maxConcurrentStreams: Int? = nil,
    libraryStore: LibraryStore? = nil,
    _ body: (RunningDemoBackend) async throws -> Result
) async throws -> Result {
    let backend = try await DemoBackend.start(
        kind: kind,
        name: name,
        maxConcurrentStreams: maxConcurrentStreams,
        libraryStore: libraryStore
    )
    do {
        let result = try await body(backend)
        await backend.stop()
        return result
    } catch {
        await backend.stop()
        throw error
    }
}

/// Runs `body` with a grpc-swift client connected to `backend` over loopback.
@discardableResult
func withClient<Result: Sendable>(
    to backend: RunningDemoBackend,
    _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Result
) async throws -> Result {
    try await withGRPCClient(
        transport: .http2NIOPosix(
            target: .ipv4(address: backend.host, port: backend.port),
            transportSecurity: .plaintext
        )
    ) { client in
        try await body(client)
    }
}

/// The gRPC error code `body` fails with, or nil if it succeeds; an error that is not an `RPCError` is rethrown.
func rpcErrorCode(_ body: () async throws -> Void) async throws -> RPCError.Code? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    }
}
