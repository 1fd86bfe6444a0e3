import Testing

@testable import Gateway

@Suite("Path templates as OpenAPI paths")
struct OpenAPIPathTests {
    static func path(_ template: String) throws -> OpenAPIPath {
        OpenAPIPath(try PathTemplate(parsing: template))
    }

    @Test(
        "each wildcard is a parameter; literals and the verb stay in the path",
        arguments: [
            ("/v1/{name}", "/v1/{name}", ["name"]),
            ("/v1/{name=shelves/*}", "/v1/shelves/{name}", ["name"]),
            (
                "/v1/{name=shelves/*/books/*}:checkout", "/v1/shelves/{name_1}/books/{name_2}:checkout",
                ["name_1", "name_2"]
            ),
            ("/v1/{book.name=shelves/*}", "/v1/shelves/{book_name}", ["book_name"]),
            ("/v1/{name=files/**}", "/v1/files/{name}", ["name"]),
            ("/v1/*/items/**", "/v1/{wildcard_1}/items/{wildcard_2}", ["wildcard_1", "wildcard_2"]),
            ("/v1/a%20b:do", "/v1/a%20b:do", []),
        ])
    func rendering(template: String, expected: String, names: [String]) throws {
        let path = try Self.path(template)
        #expect(path.path == expected)
        #expect(path.parameters.map(\.name) == names)
    }

    @Test("a parameter knows how it makes up its field, and whether it is the field's whole value")
    func composition() throws {
        let path = try Self.path("/v1/{parent=shelves/*}/books/{book}")
        #expect(path.composition(of: path.parameters[0]) == "shelves/{parent}")
        #expect(!path.parameters[0].isWholeValue)
        #expect(path.composition(of: path.parameters[1]) == "{book}")
        #expect(path.parameters[1].isWholeValue)
        #expect(try Self.path("/v1/{name=files/**}").parameters[0].isMultiSegment)
    }

    @Test("paths of one shape share a shape key and take the first one's parameter names")
    func shape() throws {
        let first = try Self.path("/v1/{name=shelves/*/books/*}")
        var second = try Self.path("/v1/{book.name=shelves/*/books/*}")
        #expect(first.shape == second.shape)
        second.rename(to: first.parameters.map(\.name))
        #expect(second.path == first.path)
        #expect(second.composition(of: second.parameters[1]) == "shelves/{name_1}/books/{name_2}")
        #expect(second.parameters[1].fieldPath == ["book", "name"])
    }
}
