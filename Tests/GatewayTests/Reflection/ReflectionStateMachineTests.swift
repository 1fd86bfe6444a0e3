import SwiftProtobuf
import Testing

@testable import Gateway

/// The reflection exchange's logic, event by event, with answers encoded as a server would send them.
@Suite("Reflection state machine")
struct ReflectionStateMachineTests {
    /// A serialized `FileDescriptorProto` named `name` importing `dependencies`.
    static func file(_ name: String, imports dependencies: [String] = []) -> [UInt8] {
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = name
        file.dependency = dependencies
        return try! file.serializedBytes()
    }

    /// A `ServerReflectionResponse` whose `message_response` is field `number` holding `payload`, after an
    /// `original_request` the client must skip.
    static func response(field number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [2 << 3 | 2, 2, 7 << 3 | 2, 0]
        bytes.appendVarint(number << 3 | 2)
        bytes.appendVarint(UInt64(payload.count))
        return bytes + payload
    }

    static func lengthDelimited(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendVarint(number << 3 | 2)
        bytes.appendVarint(UInt64(payload.count))
        return bytes + payload
    }

    static func services(_ names: [String]) -> [UInt8] {
        response(field: 6, names.flatMap { lengthDelimited(1, lengthDelimited(1, Array($0.utf8))) })
    }

    static func files(_ files: [[UInt8]]) -> [UInt8] {
        response(field: 4, files.flatMap { lengthDelimited(1, $0) })
    }

    static func error(_ code: Int32, _ message: String) -> [UInt8] {
        var payload: [UInt8] = [1 << 3]
        payload.appendVarint(UInt64(code))
        return response(field: 7, payload + lengthDelimited(2, Array(message.utf8)))
    }

    /// A machine connected and asking `list_services` on v1.
    static func connected() -> ReflectionStateMachine {
        var machine = ReflectionStateMachine()
        #expect(machine.start() == .connect)
        #expect(machine.connected() == .openStream(.v1, sending: .listServices))
        return machine
    }

    static func failure(_ action: ReflectionStateMachine.Action) -> ReflectionError? {
        if case .fail(let error) = action { return error }
        return nil
    }

    @Test("Requests are encoded as the message_request oneof's string fields")
    func requestEncoding() {
        #expect(ReflectionRequest.listServices.serialized == [7 << 3 | 2, 0])
        #expect(ReflectionRequest.fileContainingSymbol("a.B").serialized == [4 << 3 | 2, 3] + Array("a.B".utf8))
        #expect(ReflectionRequest.fileByFilename("x.proto").serialized == [3 << 3 | 2, 7] + Array("x.proto".utf8))
    }

    @Test("Services, then each service's file, then the imports no answer carried, then success in import order")
    func fullExchange() throws {
        var machine = Self.connected()
        #expect(
            machine.receivedMessage(
                Self.services(["shop.Books", "grpc.reflection.v1.ServerReflection", "shop.Carts"]), version: .v1)
                == .send(.fileContainingSymbol("shop.Books")))
        let books = Self.file("books.proto", imports: ["common.proto", "google/api/annotations.proto"])
        let annotations = Self.file("google/api/annotations.proto", imports: ["google/api/http.proto"])
        #expect(
            machine.receivedMessage(Self.files([books, annotations]), version: .v1)
                == .send(.fileContainingSymbol("shop.Carts")))
        let carts = Self.file("carts.proto", imports: ["books.proto"])
        #expect(machine.receivedMessage(Self.files([carts]), version: .v1) == .send(.fileByFilename("common.proto")))
        let common = Self.file("common.proto")
        #expect(
            machine.receivedMessage(Self.files([common]), version: .v1)
                == .send(.fileByFilename("google/api/http.proto")))
        let http = Self.file("google/api/http.proto")
        let action = machine.receivedMessage(Self.files([http]), version: .v1)
        guard case .succeed(let descriptors) = action else {
            Issue.record("expected success, got \(action)")
            return
        }
        #expect(descriptors.services == ["shop.Books", "shop.Carts"])
        #expect(descriptors.version == .v1)
        #expect(
            descriptors.files.map(\.name) == [
                "common.proto", "google/api/http.proto", "google/api/annotations.proto", "books.proto", "carts.proto",
            ])
        #expect(descriptors.files.map(\.bytes) == [common, http, annotations, books, carts])
        #expect(machine.isFinished)
        #expect(machine.timedOut(after: .seconds(1)) == .none)
    }

    @Test("The fileDescriptorSet holds the files in order as field 1")
    func fileDescriptorSet() throws {
        let files = [Self.file("a.proto"), Self.file("b.proto", imports: ["a.proto"])]
        let descriptors = ReflectedDescriptors(
            services: [],
            files: try files.map { bytes throws(ReflectionError) in try ReflectedFile(serializedBytes: bytes) },
            version: .v1)
        let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: descriptors.fileDescriptorSet)
        #expect(set.file.map(\.name) == ["a.proto", "b.proto"])
        #expect(set.file[1].dependency == ["a.proto"])
    }

    @Test("A pod with no services besides reflection succeeds with no files")
    func noServices() {
        var machine = Self.connected()
        #expect(
            machine.receivedMessage(Self.services(["grpc.reflection.v1alpha.ServerReflection"]), version: .v1)
                == .succeed(ReflectedDescriptors(services: [], files: [], version: .v1)))
    }

    @Test("UNIMPLEMENTED on v1 falls back to v1alpha; the v1 stream's late close is ignored")
    func fallback() {
        var machine = Self.connected()
        #expect(
            machine.receivedStatus(.unimplemented, message: "unknown service", version: .v1)
                == .openStream(.v1alpha, sending: .listServices))
        #expect(machine.streamClosed(error: nil, version: .v1) == .none)
        #expect(
            machine.receivedMessage(Self.services([]), version: .v1alpha)
                == .succeed(ReflectedDescriptors(services: [], files: [], version: .v1alpha)))
    }

    @Test("UNIMPLEMENTED on v1alpha too is unimplemented")
    func unimplemented() {
        var machine = Self.connected()
        _ = machine.receivedStatus(.unimplemented, message: "", version: .v1)
        let error = Self.failure(machine.receivedStatus(.unimplemented, message: "nope", version: .v1alpha))
        #expect(error?.code == .unimplemented)
        #expect(machine.isFinished)
    }

    @Test("UNIMPLEMENTED after an answer is a server error, not a fallback")
    func unimplementedAfterAnswer() {
        var machine = Self.connected()
        _ = machine.receivedMessage(Self.services(["a.B"]), version: .v1)
        #expect(Self.failure(machine.receivedStatus(.unimplemented, message: "", version: .v1))?.code == .serverError)
    }

    @Test("An ErrorResponse fails the exchange with the question and the pod's message")
    func errorResponse() throws {
        var machine = Self.connected()
        _ = machine.receivedMessage(Self.services(["a.B"]), version: .v1)
        _ = machine.receivedMessage(Self.files([Self.file("b.proto", imports: ["gone.proto"])]), version: .v1)
        let error = try #require(Self.failure(machine.receivedMessage(Self.error(5, "not found"), version: .v1)))
        #expect(error.code == .serverError)
        #expect(error.message.contains("file_by_filename gone.proto"))
        #expect(error.message.contains("not found"))
    }

    @Test("An answer to file_by_filename without that file is malformed")
    func wrongFile() {
        var machine = Self.connected()
        _ = machine.receivedMessage(Self.services(["a.B"]), version: .v1)
        _ = machine.receivedMessage(Self.files([Self.file("b.proto", imports: ["c.proto"])]), version: .v1)
        let error = Self.failure(machine.receivedMessage(Self.files([Self.file("d.proto")]), version: .v1))
        #expect(error?.code == .malformedAnswer)
    }

    @Test(
        "An answer to another question, or bytes that are not protobuf, are malformed",
        arguments: [ReflectionStateMachineTests.files([]), [0xFF, 0xFF], [2 << 3 | 2, 9, 1]] as [[UInt8]]
    )
    func malformed(bytes: [UInt8]) {
        var machine = Self.connected()
        #expect(Self.failure(machine.receivedMessage(bytes, version: .v1))?.code == .malformedAnswer)
    }

    @Test("A message the deframer cannot read is malformed; one on a stream fallen back from is ignored")
    func unreadableMessage() {
        var machine = Self.connected()
        _ = machine.receivedStatus(.unimplemented, message: "", version: .v1)
        #expect(machine.receivedUnreadableMessage("compressed", version: .v1) == .none)
        let error = Self.failure(machine.receivedUnreadableMessage("compressed", version: .v1alpha))
        #expect(error?.code == .malformedAnswer)
        #expect(error?.message.contains("compressed") == true)
    }

    @Test("Empty and repeated service names are left out")
    func serviceNames() {
        var machine = Self.connected()
        #expect(
            machine.receivedMessage(Self.services(["", "a.B", "a.B"]), version: .v1)
                == .send(.fileContainingSymbol("a.B")))
        #expect(
            machine.receivedMessage(Self.files([Self.file("b.proto")]), version: .v1)
                == .succeed(
                    ReflectedDescriptors(
                        services: ["a.B"],
                        files: [ReflectedFile(name: "b.proto", dependencies: [], bytes: Self.file("b.proto"))],
                        version: .v1)))
    }

    @Test("A file that is not a FileDescriptorProto is malformed")
    func badFile() {
        var machine = Self.connected()
        _ = machine.receivedMessage(Self.services(["a.B"]), version: .v1)
        #expect(
            Self.failure(machine.receivedMessage(Self.files([[0x0A, 0x05]]), version: .v1))?.code == .malformedAnswer)
    }

    @Test("The stream ending with OK before the closure is complete is malformed; another status is a server error")
    func earlyEnd() {
        var machine = Self.connected()
        #expect(Self.failure(machine.receivedStatus(.ok, message: "", version: .v1))?.code == .malformedAnswer)
        var other = Self.connected()
        let error = Self.failure(other.receivedStatus(.permissionDenied, message: "go away", version: .v1))
        #expect(error?.code == .serverError)
        #expect(error?.message.contains("go away") == true)
    }

    @Test("A lost connection is unreachable, a reset stream a server error")
    func streamClosed() {
        var machine = Self.connected()
        let lost = HTTP2Error(code: .connectionClosed, message: "gone")
        #expect(Self.failure(machine.streamClosed(error: lost, version: .v1))?.code == .unreachable)
        var other = Self.connected()
        let reset = HTTP2Error(code: .streamReset, message: "reset")
        #expect(Self.failure(other.streamClosed(error: reset, version: .v1))?.code == .serverError)
    }

    @Test("A failed connect is unreachable; a pod that speaks no HTTP/2 in time is a timeout")
    func connectFailures() {
        var machine = ReflectionStateMachine()
        _ = machine.start()
        let refused = HTTP2Error(code: .connectFailed, message: "refused")
        #expect(Self.failure(machine.connectFailed(refused))?.code == .unreachable)
        var silent = ReflectionStateMachine()
        _ = silent.start()
        let handshake = HTTP2Error(code: .handshakeTimeout, message: "no SETTINGS")
        #expect(Self.failure(silent.connectFailed(handshake))?.code == .timeout)
    }

    @Test("Time running out while connecting or asking is a timeout, and later events do nothing")
    func timeout() {
        var connecting = ReflectionStateMachine()
        _ = connecting.start()
        #expect(Self.failure(connecting.timedOut(after: .seconds(2)))?.code == .timeout)
        #expect(connecting.connected() == .none)
        var asking = Self.connected()
        let error = Self.failure(asking.timedOut(after: .seconds(2)))
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("list_services") == true)
        #expect(asking.receivedMessage(Self.services([]), version: .v1) == .none)
    }
}
