import Testing

@testable import Gateway

/// An Any whose type only another backend's descriptors define (`TypeDirectory`).
@Suite("Any types resolved across backends")
struct AnyTypeDirectoryTests {
    typealias Fixtures = TranscodingFixtures

    @Test("an Any of another backend's message reads and prints through that backend's schema; unknown is refused")
    func foreignType() throws {
        let types = TypeDirectory()
        let library = try DescriptorPool(
            descriptorSets: [("transcoding_test.pb", try Fixtures.resource("transcoding_test.pb"))], types: types)
        // The directory holds tables weakly: the other backend's pool lives as long as its routes would.
        let echo = try DescriptorPool(
            descriptorSets: [("raw_echo.pb", try Fixtures.resource("raw_echo.pb"))], types: types)
        defer { withExtendedLifetime(echo) {} }
        let schema = try #require(library.message(named: "portico.test.WellKnown"))
        let method = Fixtures.method(for: schema)
        let json =
            #"{"anys":[{"@type":"type.googleapis.com/echo.Upload","name":"files/a","file":{"contentType":"text/plain"},"copies":2},"#
            + #"{"@type":"type.googleapis.com/portico.test.Named","renamed":"x"}]}"#
        let wire = try Fixtures.encode(json, method: method, binding: nil)
        #expect(try Fixtures.decode(wire, method: method, binding: nil) == json)

        // The same schema without the directory knows only its own types.
        let alone = try DescriptorPool(
            descriptorSets: [("transcoding_test.pb", try Fixtures.resource("transcoding_test.pb"))])
        let aloneSchema = try #require(alone.message(named: "portico.test.WellKnown"))
        let aloneMethod = Fixtures.method(for: aloneSchema)
        #expect(throws: TranscodingError.self) { try Fixtures.encode(json, method: aloneMethod, binding: nil) }
        #expect(throws: TranscodingError.self) { try Fixtures.decode(wire, method: aloneMethod, binding: nil) }
        let unknown = #"{"anys":[{"@type":"type.googleapis.com/nowhere.Missing"}]}"#
        #expect(throws: TranscodingError.self) { try Fixtures.encode(unknown, method: method, binding: nil) }
    }
}
