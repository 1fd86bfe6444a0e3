import SwiftProtobuf
import Testing

@testable import Gateway

@Suite("Descriptor pool")
struct DescriptorPoolTests {
    typealias Fixtures = TranscodingFixtures

    static func testSet() throws -> Google_Protobuf_FileDescriptorSet {
        try Google_Protobuf_FileDescriptorSet(
            serializedBytes: try Fixtures.resource("transcoding_test.pb"),
            extensions: Google_Api_Annotations_Extensions
        )
    }

    static func pool(_ sets: Google_Protobuf_FileDescriptorSet...) throws(DescriptorError) -> DescriptorPool {
        try DescriptorPool(
            descriptorSets: sets.enumerated().map { ("set\($0.offset)", try! $0.element.serializedBytes()) })
    }

    /// A proto3 file set of one message with one field number 1 of `fieldType`.
    static func oneMessageSet(
        file name: String, package: String, message: String, fieldType: Google_Protobuf_FieldDescriptorProto.TypeEnum,
        fieldTypeName: String? = nil, dependency: String? = nil
    ) -> Google_Protobuf_FileDescriptorSet {
        var field = Google_Protobuf_FieldDescriptorProto()
        field.name = "field"
        field.number = 1
        field.type = fieldType
        if let fieldTypeName { field.typeName = fieldTypeName }
        field.label = .optional
        var messageType = Google_Protobuf_DescriptorProto()
        messageType.name = message
        messageType.field = [field]
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = name
        file.package = package
        file.syntax = "proto3"
        if let dependency { file.dependency = [dependency] }
        file.messageType = [messageType]
        var set = Google_Protobuf_FileDescriptorSet()
        set.file = [file]
        return set
    }

    @Test("services, methods, streaming flags and gRPC paths come from the descriptors")
    func services() throws {
        let service = try #require(Fixtures.pool.service(named: "portico.test.Library"))
        #expect(
            service.methods.map(\.name) == [
                "GetBook", "CreateBook", "CreateBookWhole", "UpdateBook", "ListBooks", "DeleteBook", "Echo",
                "WatchBooks",
                "UploadBooks",
            ])
        let get = service.methods[0]
        #expect(get.fullName == "portico.test.Library.GetBook")
        #expect(get.grpcPath == "/portico.test.Library/GetBook")
        #expect(get.input.fullName == "portico.test.GetBookRequest")
        #expect(get.output.fullName == "portico.test.Book")
        #expect(Fixtures.pool.method(grpcPath: "/portico.test.Library/WatchBooks")?.isServerStreaming == true)
        #expect(Fixtures.pool.method(grpcPath: "/portico.test.Library/UploadBooks")?.isClientStreaming == true)
        #expect(Fixtures.pool.method(grpcPath: "/portico.test.Library/Echo")?.isClientStreaming == false)
    }

    @Test("HTTP rules are flattened with their additional bindings")
    func httpBindings() throws {
        let methods = try #require(Fixtures.pool.service(named: "portico.test.Library")).methods
        #expect(
            methods[0].httpBindings == [
                HTTPBinding(
                    httpMethod: "GET", pathTemplate: "/v1/{name=shelves/*/books/*}", body: .none, responseBody: nil),
                HTTPBinding(httpMethod: "GET", pathTemplate: "/v1/books/{name}", body: .none, responseBody: nil),
                HTTPBinding(
                    httpMethod: "HEAD", pathTemplate: "/v1/{name=shelves/*/books/*}:peek", body: .none,
                    responseBody: nil),
            ])
        #expect(
            methods[1].httpBindings == [
                HTTPBinding(
                    httpMethod: "POST", pathTemplate: "/v1/{parent=shelves/*}/books", body: .field(["book"]),
                    responseBody: nil)
            ])
        #expect(methods[2].httpBindings.first?.body == .wholeMessage)
        #expect(methods[3].httpBindings.first?.httpMethod == "PATCH")
        #expect(methods[4].httpBindings.first?.responseBody == ["books"])
        #expect(methods[5].httpBindings.first?.httpMethod == "DELETE")
        #expect(methods[6].httpBindings.isEmpty)
    }

    @Test("message schemas expose names, JSON names and recursive types")
    func schemas() throws {
        let tree = try #require(Fixtures.pool.message(named: "portico.test.Tree"))
        #expect(tree.fields.map(\.name) == ["label", "children", "left", "weight"])
        #expect(tree.field(named: "left")?.messageType?.fullName == "portico.test.Tree")
        #expect(tree.field(named: "children")?.isRepeated == true)
        let named = try #require(Fixtures.pool.message(named: "portico.test.Named"))
        #expect(named.field(named: "custom_json")?.jsonName == "renamed")
        #expect(named.field(named: "renamed")?.number == 1)
        #expect(named.field(named: "fieldWith2Digits")?.name == "field_with_2_digits")
        let maps = try #require(Fixtures.pool.message(named: "portico.test.Maps"))
        #expect(maps.field(named: "string_to_tree")?.isMap == true)
        #expect(
            Fixtures.pool.message(named: "portico.test.Scalars")?.field(named: "f_color")?.enumName
                == "portico.test.Color")
    }

    @Test("the same files in several sets load once")
    func duplicateSets() throws {
        let set = try Self.testSet()
        let pool = try Self.pool(set, set)
        #expect(pool.services.count == 1)
    }

    @Test("a file that differs from an earlier one with the same name is a conflict")
    func conflictingFile() throws {
        let set = try Self.testSet()
        var changed = set
        let index = try #require(changed.file.firstIndex { $0.name == "transcoding_test.proto" })
        changed.file[index].messageType[0].field[0].name = "renamed_field"
        let error = #expect(throws: DescriptorError.self) { try Self.pool(set, changed) }
        #expect(error?.code == .conflictingDefinition)
        #expect(error?.source == "set1")
    }

    @Test("two files defining one type is a conflict")
    func conflictingSymbol() throws {
        let set = try Self.testSet()
        let other = Self.oneMessageSet(file: "other.proto", package: "portico.test", message: "Book", fieldType: .string)
        let error = #expect(throws: DescriptorError.self) { try Self.pool(set, other) }
        #expect(error?.code == .conflictingDefinition)
        #expect(error?.message.contains("portico.test.Book") == true)
    }

    @Test("every pool holds the google.rpc error types; a backend's own copy of them wins without a conflict")
    func builtInGoogleRPC() throws {
        let plain = try Self.pool(try Self.testSet())
        #expect(plain.message(named: "google.rpc.Status") != nil)
        #expect(plain.message(named: "google.rpc.BadRequest.FieldViolation") != nil)
        let own = Self.oneMessageSet(
            file: "google/rpc/status.proto", package: "google.rpc", message: "Status", fieldType: .int32)
        let pool = try Self.pool(try Self.testSet(), own)
        #expect(pool.message(named: "google.rpc.Status")?.fields.count == 1)
        #expect(pool.message(named: "google.rpc.ErrorInfo") != nil)
    }

    @Test("the options' schema (descriptor.proto, google.api.HttpRule) is not compiled unless an API message holds it")
    func optionSchemasLeftOut() throws {
        let set = try Self.testSet()
        #expect(set.file.contains { $0.name == "google/protobuf/descriptor.proto" })
        let pool = try Self.pool(set)
        #expect(pool.message(named: "google.protobuf.FileDescriptorProto") == nil)
        #expect(pool.message(named: "google.protobuf.MethodOptions") == nil)
        #expect(pool.message(named: "google.api.HttpRule") == nil)
        // The API's messages, with or without a method that uses them, and the well-known types are there.
        #expect(pool.message(named: "portico.test.Tree") != nil)
        #expect(pool.message(named: "google.protobuf.Timestamp") != nil)

        // A message with a FieldDescriptorProto field (as a reflection API has) brings that type back, and what
        // it holds.
        let api = Self.oneMessageSet(
            file: "schema_api.proto", package: "portico.schema", message: "DescribedField", fieldType: .message,
            fieldTypeName: ".google.protobuf.FieldDescriptorProto", dependency: "google/protobuf/descriptor.proto")
        let withAPI = try Self.pool(set, api)
        let fieldSchema = try #require(withAPI.message(named: "google.protobuf.FieldDescriptorProto"))
        #expect(fieldSchema.field(named: "options")?.messageType?.fullName == "google.protobuf.FieldOptions")
        #expect(withAPI.message(named: "google.protobuf.FileDescriptorProto") == nil)
    }

    @Test("a missing dependency is an unresolved type")
    func unresolvedType() throws {
        var set = try Self.testSet()
        set.file.removeAll { $0.name == "google/protobuf/timestamp.proto" }
        let error = #expect(throws: DescriptorError.self) { try Self.pool(set) }
        #expect(error?.code == .unresolvedType)
        #expect(error?.message.contains(".google.protobuf.Timestamp") == true)
    }

    @Test("an HTTP rule naming a missing body field is rejected")
    func invalidRule() throws {
        var set = try Self.testSet()
        let fileIndex = try #require(set.file.firstIndex { $0.name == "transcoding_test.proto" })
        set.file[fileIndex].service[0].method[1].options.Google_Api_http.body = "nope"
        let error = #expect(throws: DescriptorError.self) { try Self.pool(set) }
        #expect(error?.code == .invalidHTTPRule)
        #expect(error?.message.contains("CreateBook") == true)
    }

    @Test("bytes that are not a descriptor set are rejected")
    func malformed() {
        let error = #expect(throws: DescriptorError.self) {
            try DescriptorPool(descriptorSets: [(source: "junk.pb", bytes: [0x0A, 0x05, 0x01])])
        }
        #expect(error?.code == .malformedDescriptorSet)
        #expect(error?.source == "junk.pb")
    }
}
