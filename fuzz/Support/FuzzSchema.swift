import Foundation
import Gateway

/// The transcoder test schema (Tests/GatewayTests/Resources/transcoding_test.pb), loaded once per fuzzing
/// process. `PORTICO_FUZZ_DESCRIPTORS` overrides the path, which defaults to the file in this checkout.
enum FuzzSchema {
    static let pool: DescriptorPool = {
        let path =
            ProcessInfo.processInfo.environment["PORTICO_FUZZ_DESCRIPTORS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Tests/GatewayTests/Resources/transcoding_test.pb").path
        guard let bytes = FileManager.default.contents(atPath: path) else {
            fatalError("cannot read the descriptor set at \(path) (set PORTICO_FUZZ_DESCRIPTORS)")
        }
        do {
            return try DescriptorPool(descriptorSets: [(source: path, bytes: Array(bytes))])
        } catch {
            fatalError("cannot load \(path): \(error)")
        }
    }()

    /// A method taking and returning `typeName`, as an unannotated `POST /pkg.Service/Method` would.
    static func method(for typeName: String) -> MethodDescriptor {
        guard let schema = pool.message(named: typeName) else { fatalError("no message \(typeName)") }
        return MethodDescriptor(
            name: "Fuzz", fullName: "fuzz.Fuzz.Fuzz", grpcPath: "/fuzz.Fuzz/Fuzz", input: schema, output: schema,
            isClientStreaming: false, isServerStreaming: false, httpBindings: [])
    }

    /// The method `name` of `portico.test.Library` and its first HTTP binding.
    static func libraryMethod(_ name: String) -> (method: MethodDescriptor, binding: HTTPBinding) {
        guard let method = pool.service(named: "portico.test.Library")?.methods.first(where: { $0.name == name }),
            let binding = method.httpBindings.first
        else { fatalError("no annotated method \(name)") }
        return (method, binding)
    }
}

/// Runs a transcoder call on the bytes of an array, returning its error instead of throwing it (the
/// transcoders take `UnsafeRawBufferPointer`s and throw typed errors).
func withBytes<Result>(
    _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(TranscodingError) -> Result
) -> Swift.Result<Result, TranscodingError> {
    bytes.withUnsafeBytes { buffer in
        do throws(TranscodingError) {
            return .success(try body(buffer))
        } catch {
            return .failure(error)
        }
    }
}
