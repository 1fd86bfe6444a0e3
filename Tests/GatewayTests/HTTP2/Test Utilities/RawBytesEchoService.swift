import GRPCCore

/// A grpc-swift-2 service without generated code: `echo.Echo/Unary` and `echo.Echo/ServerStream` over raw bytes.
struct RawBytesEchoService: RegistrableRPCService {
    struct Serializer: MessageSerializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
            Bytes(message)
        }
    }

    struct Deserializer: MessageDeserializer {
        func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
            serializedMessageBytes.withUnsafeBytes { Array($0) }
        }
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "echo.Echo", method: "Unary"),
            deserializer: Deserializer(),
            serializer: Serializer()
        ) { request, _ in
            StreamingServerResponse { writer in
                for try await message in request.messages {
                    try await writer.write(message)
                }
                return [:]
            }
        }
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "echo.Echo", method: "ServerStream"),
            deserializer: Deserializer(),
            serializer: Serializer()
        ) { request, _ in
            StreamingServerResponse { writer in
                for try await message in request.messages {
                    for _ in 0..<3 {
                        try await writer.write(message)
                    }
                }
                return [:]
            }
        }
    }
}
