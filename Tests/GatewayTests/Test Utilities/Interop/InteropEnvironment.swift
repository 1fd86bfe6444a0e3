import DemoServices
import GRPCCore
import GRPCNIOTransportHTTP2
import PorticoTestSupport
import Testing

/// One stack's backend and the `portico` gateway in front of it, started once for a whole suite by the
/// ``InteropStackTrait`` and reached by its tests through ``current``.
final class InteropEnvironment: Sendable {
    /// The environment of the suite the current test belongs to.
    @TaskLocal static var current: InteropEnvironment?

    /// The largest request body the gateway takes (its `maxRequestBytes`): 1 MiB + 64 KiB, smaller than the
    /// 4 MiB default to keep the largest cases affordable in debug builds.
    static let maxRequestBytes = (1 << 20) + (64 << 10)

    let stack: InteropStack
    /// `http://127.0.0.1:PORT` of the gateway.
    let baseURL: String
    /// A grpc-swift-2 client whose target is the gateway.
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    /// Takes turns among the largest cases of every interop suite: the three suites run beside the rest of the
    /// tests on a 2-core machine, whose other tests must not starve.
    static let heavyCases = InteropLimiter(permits: 2)

    /// Runs `body` in turn with the other large cases (1 MiB or more) if `size` is large, at once otherwise.
    func taking(_ size: InteropSize, _ body: () async throws -> Void) async throws {
        if size.bytes >= 1 << 20 {
            try await Self.heavyCases.withPermit(body)
        } else {
            try await body()
        }
    }

    init(stack: InteropStack, baseURL: String, client: GRPCClient<HTTP2ClientTransport.Posix>) {
        self.stack = stack
        self.baseURL = baseURL
        self.client = client
    }

    /// The environment of the running suite; a test outside an interop suite fails here.
    static func required() throws -> InteropEnvironment {
        try #require(current, "the test's suite lacks the .interop(stack) trait")
    }

    func curl(_ version: CurlClient.HTTPVersion) -> CurlClient {
        CurlClient(baseURL: baseURL, version: version)
    }

    var echo: Portico_Demo_Echo_V1_EchoService.Client<HTTP2ClientTransport.Posix> {
        Portico_Demo_Echo_V1_EchoService.Client(wrapping: client)
    }

    /// Starts `stack`'s backend and a gateway in front of it, runs `body`, and stops both gracefully.
    static func with(_ stack: InteropStack, _ body: @Sendable (InteropEnvironment) async throws -> Void) async throws {
        let backend = try await InteropBackend.start(stack)
        do {
            let gateway = try await InteropGateway.start(backendPort: backend.port)
            do {
                try await withGRPCClient(
                    transport: .http2NIOPosix(
                        target: .ipv4(address: "127.0.0.1", port: gateway.port), transportSecurity: .plaintext)
                ) { client in
                    try await body(
                        InteropEnvironment(stack: stack, baseURL: "http://127.0.0.1:\(gateway.port)", client: client))
                }
            } catch {
                await gateway.stop()
                throw error
            }
            await gateway.stop()
        } catch {
            await backend.stop()
            throw error
        }
        await backend.stop()
    }
}
