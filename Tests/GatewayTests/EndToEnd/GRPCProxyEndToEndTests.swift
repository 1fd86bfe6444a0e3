import DemoServices
import GRPCCore
import GRPCNIOTransportHTTP2
import Gateway
import Testing

@Suite("Native gRPC through the gateway, proxied as it is")
struct GRPCProxyEndToEndTests {
    /// Runs `body` with a grpc-swift-2 client whose target is the gateway.
    func withClient<T: Sendable>(
        _ gateway: GatewayHarness, _ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        try await withGRPCClient(
            transport: .http2NIOPosix(
                target: .ipv4(address: gateway.address.host, port: gateway.address.port), transportSecurity: .plaintext)
        ) { client in
            try await body(client)
        }
    }

    @Test("unary, server-streaming and client-streaming calls work through the gateway")
    func callKinds() async throws {
        try await withGateway(echo: 1, library: 1) { gateway in
            try await withClient(gateway) { client in
                let echo = Portico_Demo_Echo_V1_EchoService.Client(wrapping: client)
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.message = "through the gateway"
                let reply = try await echo.echo(request)
                #expect(reply.message == "through the gateway")
                #expect(reply.servedBy == "echo-1")

                var expand = Portico_Demo_Echo_V1_ExpandRequest()
                expand.message = "e"
                expand.count = 5
                let sequences = try await echo.expand(expand) { response in
                    var seen: [Int32] = []
                    for try await message in response.messages { seen.append(message.sequence) }
                    return seen
                }
                #expect(sequences == [0, 1, 2, 3, 4])

                let collected = try await echo.collect(
                    requestProducer: { writer in
                        for word in ["a", "b", "c"] {
                            var message = Portico_Demo_Echo_V1_EchoRequest()
                            message.message = word
                            try await writer.write(message)
                        }
                    })
                #expect(collected.message == "a b c")
                #expect(collected.sequence == 3)

                let library = Portico_Demo_Library_V1_LibraryService.Client(wrapping: client)
                var get = Portico_Demo_Library_V1_GetBookRequest()
                get.name = "shelves/science/books/cosmos"
                #expect(try await library.getBook(get).title == "Cosmos")
            }
        }
    }

    @Test("backend errors and metadata pass through unchanged")
    func errorsPassThrough() async throws {
        try await withGateway { gateway in
            try await withClient(gateway) { client in
                let echo = Portico_Demo_Echo_V1_EchoService.Client(wrapping: client)
                var request = Portico_Demo_Echo_V1_EchoRequest()
                request.failCode = Int32(RPCError.Code.permissionDenied.rawValue)
                await #expect(throws: RPCError.self) { _ = try await echo.echo(request) }
                do {
                    _ = try await echo.echo(request)
                } catch let error as RPCError {
                    #expect(error.code == .permissionDenied)
                    #expect(error.message == "requested failure")
                }
            }
        }
    }

    @Test("an unknown service is UNIMPLEMENTED; an unreachable backend is UNAVAILABLE")
    func gatewayErrors() async throws {
        try await withGateway(configure: { config in
            config.update(backend: "library") { $0.endpoints = [.init(host: "127.0.0.1", port: 1)] }
        }) { gateway in
            try await withClient(gateway) { client in
                let unknown = try await client.unary(
                    request: ClientRequest(message: [UInt8]()),
                    descriptor: MethodDescriptor(fullyQualifiedService: "no.such.Service", method: "Call"),
                    serializer: RawBytes(), deserializer: RawBytes(), options: .defaults
                ) { response in response.accepted }
                if case .failure(let error) = unknown { #expect(error.code == .unimplemented) } else {
                    Issue.record("expected UNIMPLEMENTED, got \(unknown)")
                }
                let library = Portico_Demo_Library_V1_LibraryService.Client(wrapping: client)
                do {
                    _ = try await library.listShelves(Portico_Demo_Library_V1_ListShelvesRequest())
                    Issue.record("expected UNAVAILABLE")
                } catch let error as RPCError {
                    #expect(error.code == .unavailable)
                }
            }
        }
    }
}

/// Passes messages as raw bytes.
struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
