import Foundation
import Synchronization

/// What the gateway's own gRPC server reflection service describes: every backend's routed services and the
/// descriptor files behind them, with the reflection service itself.
///
/// Built with every runtime (on each reload and schema change) from the descriptor bytes the backends' schemas
/// came from (their descriptor sets, or what their pods told over reflection), so building it only keeps those
/// bytes; the files are read and indexed on the first reflection question, once.
///
/// The answers follow grpc-go's reflection server:
/// - `list_services`: every service served by a backend (after its `services` filter and service conflicts),
///   and `grpc.reflection.v1.ServerReflection` and
///   `grpc.reflection.v1alpha.ServerReflection`, sorted by name.
/// - `file_by_filename`, `file_containing_symbol`, `file_containing_extension`: the file, then those of its
///   transitive imports that the stream has not carried yet (`sentFiles`), each as the backend's set holds its
///   bytes. A symbol is a service, method, message (nested ones too), field, oneof, enum, enum value (in the scope
///   of its enum's parent, as protobuf names them) or extension.
/// - `all_extension_numbers_of_type`: the numbers of the extensions the sets declare for a message type.
/// - Anything not found: an `error_response` with NOT_FOUND; the stream goes on.
///
/// When two backends carry a file of the same name, identical bytes are one file. Different contents: a name
/// lookup gets the first backend's copy (in the order backends were first served, which is config order at
/// start-up and the one that wins route conflicts; the gateway's own reflection.proto files come first); a
/// symbol lookup gets the copy of a backend that serves a service of that file when there is one, else the
/// first backend's; and a file's imports are taken from the same backend's copies where it has them.
package final class ReflectionCatalog: Sendable {
    /// One backend's part: the services routed to it and the descriptors they come from.
    package struct Backend: Sendable {
        /// A backend's descriptor files.
        package enum Descriptors: Sendable {
            /// Serialized `FileDescriptorSet`s.
            case sets([[UInt8]])
            /// Serialized `FileDescriptorProto`s.
            case files([[UInt8]])
        }

        /// The backend's name, for errors.
        package var name: String
        /// The full names of the services it serves (after its `services` filter and service conflicts).
        package var services: [String]
        var descriptors: Descriptors

        /// A backend described by `descriptors`: its descriptor sets or files.
        package init(name: String, services: [String], descriptors: Descriptors) {
            self.name = name
            self.services = services
            self.descriptors = descriptors
        }
    }

    private let backends: [Backend]
    private let index = Mutex<Index?>(nil)

    /// Keeps the backends' descriptors; nothing is read until the first question.
    /// - Parameter backends: The backends in the order they were first served (which breaks ties between
    ///   same-named files).
    package init(backends: [Backend]) {
        self.backends = backends
    }

    /// The full names of the services listed, sorted.
    package var serviceNames: [String] {
        currentIndex().serviceNames
    }

    /// Answers one question of a reflection stream.
    /// - Parameters:
    ///   - request: The question.
    ///   - sentFiles: The names of the files the stream has carried; the answer's are added.
    /// - Returns: The answer; an `.error` with NOT_FOUND (5) when the file, symbol or type is unknown.
    func answer(_ request: ReflectionRequest, sentFiles: inout Set<String>) -> ReflectionResponse {
        let index = currentIndex()
        switch request {
        case .listServices:
            return .services(index.serviceNames)
        case .fileByFilename(let name):
            guard let file = index.fileByName[name] else { return Self.notFound("file \(name) not found") }
            return .files(index.files(from: file, sentFiles: &sentFiles))
        case .fileContainingSymbol(let symbol):
            guard let file = index.fileOfSymbol[symbol] else { return Self.notFound("symbol \(symbol) not found") }
            return .files(index.files(from: file, sentFiles: &sentFiles))
        case .fileContainingExtension(let type, let number):
            guard let file = index.fileOfExtension[type]?[number] else {
                return Self.notFound("extension \(number) of \(type) not found")
            }
            return .files(index.files(from: file, sentFiles: &sentFiles))
        case .allExtensionNumbersOfType(let type):
            if let extensions = index.fileOfExtension[type] {
                return .extensionNumbers(baseTypeName: type, numbers: extensions.keys.sorted())
            }
            guard index.messageTypes.contains(type) else { return Self.notFound("message type \(type) not found") }
            return .extensionNumbers(baseTypeName: type, numbers: [])
        }
    }

    /// Why a request message ends its call, as grpc-go's reflection server ends it.
    package struct Refusal: Error, Hashable {
        /// The call's status: INTERNAL for bytes that are no `ServerReflectionRequest`, INVALID_ARGUMENT for a
        /// request that asks no question.
        package var code: GRPCStatusCode
        /// Its message.
        package var message: String
    }

    /// Answers one serialized `ServerReflectionRequest` with a serialized `ServerReflectionResponse`, which
    /// echoes the request's host and the request itself.
    ///
    /// - Parameter sentFiles: The names of the files the call has carried; the answer's are added.
    /// - Throws: `Refusal` when the call must end instead.
    package func answer(serializedRequest bytes: [UInt8], sentFiles: inout Set<String>) throws(Refusal) -> [UInt8] {
        let received: ReflectionRequest.Received
        do throws(ReflectionWireReader.Malformed) {
            received = try ReflectionRequest.decode(bytes)
        } catch {
            throw Refusal(code: .internalError, message: "a request is not a ServerReflectionRequest: \(error.message)")
        }
        guard let request = received.request else {
            throw Refusal(code: .invalidArgument, message: "a request asks no question (no message_request)")
        }
        return answer(request, sentFiles: &sentFiles).serialized(validHost: received.host, originalRequest: bytes)
    }

    private static func notFound(_ message: String) -> ReflectionResponse {
        .error(code: Int32(GRPCStatusCode.notFound.rawValue), message: message)
    }

    /// The index, built on first use; every later caller shares it. It is built under the lock: a question
    /// arriving meanwhile on another event loop waits for it rather than building it twice.
    private func currentIndex() -> Index {
        index.withLock { index in
            if let index { return index }
            let built = Index(sources: [Self.builtIn] + backends)
            index = built
            return built
        }
    }

    /// The gateway's own reflection services and their files.
    private static let builtIn: Backend = {
        let bytes = Data(
            base64Encoded: GRPCReflectionDescriptors.fileDescriptorSetBase64, options: .ignoreUnknownCharacters)
        return Backend(
            name: "the gateway", services: ReflectionServiceVersion.allCases.map(\.serviceName),
            descriptors: .sets([[UInt8](bytes ?? Data())]))
    }()
}
