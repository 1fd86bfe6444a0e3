import Foundation
import GRPCCore
import Gateway

/// gRPC server reflection (`grpc.reflection.v1` and `v1alpha`) for a demo backend, answered from the demo's
/// descriptor set by the same catalog the gateway serves its own reflection from: a demo pod describes itself,
/// so a Service exposed with `portico.io/expose: "true"` needs nothing else.
struct DemoReflectionService: RegistrableRPCService {
    private let catalog: ReflectionCatalog

    /// Describes the service of `kind`.
    init(kind: DemoBackend.Kind) {
        let set = (try? Data(contentsOf: DemoBackend.descriptorSetURL(for: kind))).map { [UInt8]($0) } ?? []
        self.catalog = ReflectionCatalog(backends: [
            .init(name: kind.rawValue, services: [kind.serviceName], descriptors: .sets([set]))
        ])
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        for service in ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"] {
            router.registerHandler(
                forMethod: MethodDescriptor(fullyQualifiedService: service, method: "ServerReflectionInfo"),
                deserializer: RawMessage(), serializer: RawMessage()
            ) { [catalog] request, _ in
                StreamingServerResponse { writer in
                    var sentFiles: Set<String> = []
                    for try await message in request.messages {
                        let answer: [UInt8]
                        do throws(ReflectionCatalog.Refusal) {
                            answer = try catalog.answer(serializedRequest: message, sentFiles: &sentFiles)
                        } catch {
                            throw RPCError(code: .init(error.code), message: error.message)
                        }
                        try await writer.write(answer)
                    }
                    return [:]
                }
            }
        }
    }
}

/// A gRPC message as its serialized bytes.
private struct RawMessage: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

extension RPCError.Code {
    /// The code of a gateway status.
    fileprivate init(_ code: GRPCStatusCode) {
        self = RPCError.Code(Status.Code(rawValue: code.rawValue) ?? .unknown) ?? .unknown
    }
}
