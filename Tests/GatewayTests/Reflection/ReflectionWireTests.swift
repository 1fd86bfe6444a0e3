import Testing

@testable import Gateway

/// The hand-coded reflection messages: what the server reads is what the client writes, and the other way round.
@Suite("Reflection wire messages")
struct ReflectionWireTests {
    @Test(
        "Every request decodes to what was encoded",
        arguments: [
            ReflectionRequest.listServices, .fileByFilename("a/b.proto"), .fileContainingSymbol("a.B"),
            .fileContainingExtension(containingType: "a.B", number: 72_295_728),
            .fileContainingExtension(containingType: "a.B", number: -1), .allExtensionNumbersOfType("a.B"),
        ])
    func requestRoundTrip(request: ReflectionRequest) throws {
        #expect(try ReflectionRequest.decode(request.serialized) == .init(host: "", request: request))
    }

    @Test("A request's host is read, and of several questions the last one counts, as in a protobuf oneof")
    func requestHostAndLastQuestion() throws {
        var bytes = ReflectionRequest.fileByFilename("x.proto").serialized
        bytes.appendText(field: 1, "h")
        bytes += ReflectionRequest.listServices.serialized
        bytes += [5 << 3, 1]  // an unknown varint field is skipped
        #expect(try ReflectionRequest.decode(bytes) == .init(host: "h", request: .listServices))
        #expect(try ReflectionRequest.decode([]) == .init(host: "", request: nil))
    }

    @Test(
        "Every response decodes to what was encoded, past valid_host and original_request",
        arguments: [
            ReflectionResponse.services(["a.B", "c.D"]), .services([]),
            .files([
                ReflectedFile(name: "x.proto", dependencies: [], bytes: [0x0A, 7] + Array("x.proto".utf8)),
                ReflectedFile(
                    name: "big.proto", dependencies: [],
                    bytes: [0x0A, 9] + Array("big.proto".utf8) + [0x12, 0x80, 0x02] + Array(repeating: 0x61, count: 256)
                ),
            ]),
            .extensionNumbers(baseTypeName: "a.B", numbers: [1, 300, 72_295_728]),
            .extensionNumbers(baseTypeName: "a.B", numbers: []), .error(code: 5, message: "symbol a.B not found"),
        ])
    func responseRoundTrip(response: ReflectionResponse) throws {
        let bytes = response.serialized(validHost: "host", originalRequest: ReflectionRequest.listServices.serialized)
        #expect(try ReflectionResponse(serializedBytes: bytes) == response)
    }

    @Test("Unpacked extension numbers are read too")
    func unpackedNumbers() throws {
        var payload: [UInt8] = []
        payload.appendText(field: 1, "a.B")
        payload += [2 << 3, 5, 2 << 3, 0xAC, 0x02]
        var bytes: [UInt8] = []
        bytes.appendBytes(field: 5, payload)
        #expect(
            try ReflectionResponse(serializedBytes: bytes) == .extensionNumbers(baseTypeName: "a.B", numbers: [5, 300]))
    }
}
