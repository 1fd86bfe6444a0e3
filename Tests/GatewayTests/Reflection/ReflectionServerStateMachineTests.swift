import NIOCore
import Testing

@testable import Gateway

/// One locally answered `ServerReflectionInfo` call, event by event.
@Suite("Reflection server state machine")
struct ReflectionServerStateMachineTests {
    typealias Machine = ReflectionServerStateMachine

    static func machine(maxMessageBytes: Int = 1 << 20) -> Machine {
        Machine(catalog: ReflectionCatalogTests.twoBackends(), maxMessageBytes: maxMessageBytes)
    }

    /// `messages`, each with its gRPC prefix (uncompressed unless `compressed`).
    static func framed(_ messages: [UInt8]..., compressed: Bool = false) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages {
            buffer.writeInteger(UInt8(compressed ? 1 : 0))
            buffer.writeInteger(UInt32(message.count))
            buffer.writeBytes(message)
        }
        return buffer
    }

    static func decoded(_ output: Machine.OnReceive) throws -> [ReflectionResponse] {
        try output.responses.map { try ReflectionResponse(serializedBytes: $0) }
    }

    static let ok = Machine.Status(code: .ok, message: "")

    @Test("A question gets one answer; the call goes on until the client ends its side, then ends with OK")
    func questionThenEnd() throws {
        var machine = Self.machine()
        let first = machine.receivedData(Self.framed(ReflectionRequest.listServices.serialized), endStream: false)
        #expect(first.status == nil)
        #expect(
            try Self.decoded(first) == [
                .services([
                    "a.Alpha", "b.Beta", "grpc.reflection.v1.ServerReflection",
                    "grpc.reflection.v1alpha.ServerReflection",
                ])
            ])
        #expect(!machine.isClosed)
        let end = machine.receivedData(ByteBuffer(), endStream: true)
        #expect(end == Machine.OnReceive(responses: [], status: Self.ok))
        #expect(machine.isClosed)
    }

    @Test("A message cut across DATA frames is answered once complete")
    func splitMessage() throws {
        var machine = Self.machine()
        var whole = Self.framed(ReflectionRequest.fileByFilename("b/beta.proto").serialized)
        let head = whole.readSlice(length: 7)!
        #expect(machine.receivedData(head, endStream: false) == Machine.OnReceive())
        let output = machine.receivedData(whole, endStream: true)
        #expect(try Self.decoded(output).map(ReflectionCatalogTests.names) == [["b/beta.proto", "a/common.proto"]])
        #expect(output.status == Self.ok)
    }

    @Test("Questions of one call share the files sent: an import goes once per call")
    func sentFilesPerCall() throws {
        var machine = Self.machine()
        let output = machine.receivedData(
            Self.framed(
                ReflectionRequest.fileContainingSymbol("a.Alpha").serialized,
                ReflectionRequest.fileContainingSymbol("b.Beta").serialized),
            endStream: false)
        #expect(
            try Self.decoded(output).map(ReflectionCatalogTests.names) == [
                ["a/alpha.proto", "a/common.proto"], ["b/beta.proto"],
            ])
        // A new call starts afresh.
        var other = Self.machine()
        let again = other.receivedData(
            Self.framed(ReflectionRequest.fileContainingSymbol("b.Beta").serialized), endStream: false)
        #expect(try Self.decoded(again).map(ReflectionCatalogTests.names) == [["b/beta.proto", "a/common.proto"]])
    }

    @Test("NOT_FOUND is an answer, not the call's end")
    func notFoundGoesOn() throws {
        var machine = Self.machine()
        let output = machine.receivedData(
            Self.framed(ReflectionRequest.fileContainingSymbol("x.Nope").serialized), endStream: false)
        #expect(try Self.decoded(output) == [.error(code: 5, message: "symbol x.Nope not found")])
        #expect(output.status == nil)
        #expect(!machine.isClosed)
    }

    @Test("The answer echoes the request's host as valid_host and the request as original_request")
    func echoes() throws {
        var request: [UInt8] = []
        request.appendText(field: 1, "example.test")
        request += ReflectionRequest.listServices.serialized
        var machine = Self.machine()
        let output = machine.receivedData(Self.framed(request), endStream: false)
        let response = try #require(output.responses.first)
        var expectedPrefix: [UInt8] = []
        expectedPrefix.appendText(field: 1, "example.test")
        expectedPrefix.appendBytes(field: 2, request)
        #expect(Array(response.prefix(expectedPrefix.count)) == expectedPrefix)
    }

    @Test("A request without a question ends the call with INVALID_ARGUMENT, after the answers before it")
    func noQuestion() throws {
        var hostOnly: [UInt8] = []
        hostOnly.appendText(field: 1, "example.test")
        var machine = Self.machine()
        let output = machine.receivedData(
            Self.framed(ReflectionRequest.listServices.serialized, hostOnly, ReflectionRequest.listServices.serialized),
            endStream: false)
        #expect(output.responses.count == 1)
        #expect(output.status?.code == .invalidArgument)
        #expect(machine.isClosed)
        #expect(
            machine.receivedData(Self.framed(ReflectionRequest.listServices.serialized), endStream: true) == .init())
    }

    @Test(
        "Unreadable requests end the call as grpc-go's transport does",
        arguments: [
            (Self.framed([0x0A, 0x05, 0x61]), GRPCStatusCode.internalError),  // a length past the end
            (Self.framed([0x0F]), .internalError),  // wire type 7
            (Self.framed(ReflectionRequest.listServices.serialized, compressed: true), .internalError),
            (Self.framed(Array(repeating: 0, count: 65)), .resourceExhausted),
        ])
    func unreadable(data: ByteBuffer, code: GRPCStatusCode) {
        var machine = Self.machine(maxMessageBytes: 64)
        let output = machine.receivedData(data, endStream: false)
        #expect(output.responses.isEmpty)
        #expect(output.status?.code == code)
        #expect(machine.isClosed)
    }

    @Test("A stream that ends inside a message ends with INTERNAL")
    func endsInsideMessage() {
        var machine = Self.machine()
        var data = Self.framed(ReflectionRequest.listServices.serialized)
        data.moveWriterIndex(to: data.writerIndex - 1)
        #expect(machine.receivedData(data, endStream: true).status?.code == .internalError)
    }

    @Test("A client that ends at once, with no question, gets OK; one that goes away gets nothing more")
    func emptyAndCancelled() {
        var machine = Self.machine()
        #expect(machine.receivedData(ByteBuffer(), endStream: true) == .init(responses: [], status: Self.ok))
        var cancelled = Self.machine()
        cancelled.clientClosed()
        #expect(cancelled.isClosed)
        #expect(
            cancelled.receivedData(Self.framed(ReflectionRequest.listServices.serialized), endStream: false) == .init())
    }
}
