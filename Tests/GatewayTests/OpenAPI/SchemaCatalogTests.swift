import Testing

@testable import Gateway

@Suite("Named schemas of the OpenAPI document")
struct SchemaCatalogTests {
    @Test("a type two backends print differently has a component per style")
    func componentPerStyle() throws {
        let book = try #require(TranscodingFixtures.pool.message(named: "portico.test.Book"))
        var catalog = SchemaCatalog()
        var protoNames = TranscodingOptions()
        protoNames.useProtoNames = true
        let plain = catalog.message(
            book.index, in: book.table, style: SchemaCatalog.Style(.defaults), comments: DescriptorComments())
        let other = catalog.message(
            book.index, in: book.table, style: SchemaCatalog.Style(protoNames), comments: DescriptorComments())
        let again = catalog.message(
            book.index, in: book.table, style: SchemaCatalog.Style(.defaults), comments: DescriptorComments())
        #expect(Self.text(plain) == ##"{"$ref":"#/components/schemas/portico.test.Book"}"##)
        #expect(Self.text(other) == ##"{"$ref":"#/components/schemas/portico.test.Book-protoNames"}"##)
        #expect(Self.text(again) == Self.text(plain))
        #expect(catalog.components.map(\.name).filter { $0.hasPrefix("portico.test.Book") }.count == 2)
    }

    @Test("the error body schema is always there")
    func errorSchema() {
        #expect(SchemaCatalog().components.map(\.name) == ["portico.Error"])
    }

    static func text(_ value: Gateway.JSONValue) -> String {
        var bytes: [UInt8] = []
        value.write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
