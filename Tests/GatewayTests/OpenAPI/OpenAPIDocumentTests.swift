import DemoServices
import Foundation
import Gateway
import PorticoTestSupport
import Testing

@Suite("OpenAPI document of the route table")
struct OpenAPIDocumentTests {
    typealias Object = [String: Any]

    /// The document of a runtime serving the transcoder test schema (portico.test.Library) as backend `test`.
    static func testDocument(json: GatewayConfig.JSONOptions? = nil, backend: String? = nil) throws -> Object {
        let url = try #require(
            Bundle.module.url(forResource: "transcoding_test.pb", withExtension: nil, subdirectory: "Resources"))
        var config = GatewayConfig(backends: [
            GatewayConfig.Backend(
                name: "test", descriptorFiles: [url.path], endpoints: [SocketAddressText(host: "127.0.0.1", port: 1)])
        ])
        config.backends[0].json = json
        return try parse(OpenAPIDocument(runtime: GatewayRuntime(config: config), backend: backend).json)
    }

    static func demoDocument(backend: String? = nil) throws -> Object {
        let config = GatewayConfig(backends: [
            RouteListingTests.backend("library", .library), RouteListingTests.backend("echo", .echo),
        ])
        return try parse(OpenAPIDocument(runtime: GatewayRuntime(config: config), backend: backend).json)
    }

    static func parse(_ json: [UInt8]) throws -> Object {
        try #require(try JSONSerialization.jsonObject(with: Data(json)) as? Object)
    }

    static func operation(_ document: Object, _ path: String, _ method: String) throws -> Object {
        let paths = try #require(document["paths"] as? Object)
        let item = try #require(paths[path] as? Object, "no path \(path) in \(paths.keys.sorted())")
        return try #require(item[method] as? Object, "no \(method) at \(path)")
    }

    static func parameters(_ operation: Object, in location: String) -> [String: Object] {
        let all = operation["parameters"] as? [Object] ?? []
        return Dictionary(
            uniqueKeysWithValues: all.filter { $0["in"] as? String == location }.map { ($0["name"] as! String, $0) })
    }

    static func schema(_ document: Object, _ name: String) throws -> Object {
        let components = try #require(document["components"] as? Object)
        let schemas = try #require(components["schemas"] as? Object)
        return try #require(schemas[name] as? Object, "no schema \(name) in \(schemas.keys.sorted())")
    }

    static func property(_ document: Object, _ message: String, _ name: String) throws -> Object {
        let properties = try #require(try schema(document, message)["properties"] as? Object)
        return try #require(
            properties[name] as? Object, "\(message) has no property \(name): \(properties.keys.sorted())")
    }

    static func ref(_ name: String) -> String { "#/components/schemas/" + name }

    @Test("an OpenAPI 3.1 document with a tag per service")
    func header() throws {
        let document = try Self.testDocument()
        #expect(document["openapi"] as? String == "3.1.0")
        let tags = try #require(document["tags"] as? [Object])
        #expect(tags.map { $0["name"] as? String } == ["portico.test.Library"])
    }

    @Test("multi-segment variables keep their literals in the path, each wildcard a path parameter")
    func pathParameters() throws {
        let document = try Self.testDocument()
        let get = try Self.operation(document, "/v1/shelves/{name_1}/books/{name_2}", "get")
        #expect(get["operationId"] as? String == "Library_GetBook")
        let path = Self.parameters(get, in: "path")
        #expect(Set(path.keys) == ["name_1", "name_2"])
        #expect(path["name_1"]?["required"] as? Bool == true)
        #expect((path["name_2"]?["description"] as? String)?.contains("`shelves/{name_1}/books/{name_2}`") == true)
        // The additional binding: a one-wildcard variable is one parameter named by its field.
        let byName = try Self.operation(document, "/v1/books/{name}", "get")
        #expect(byName["operationId"] as? String == "Library_GetBook2")
        #expect(Set(Self.parameters(byName, in: "path").keys) == ["name"])
        // A custom HEAD rule and its verb.
        let head = try Self.operation(document, "/v1/shelves/{name_1}/books/{name_2}:peek", "head")
        #expect(head["operationId"] as? String == "Library_GetBook3")
        // A nested field path, in a path of the same shape as GetBook's: one path item, GetBook's names.
        let update = try Self.operation(document, "/v1/shelves/{name_1}/books/{name_2}", "patch")
        let updatePath = Self.parameters(update, in: "path")
        #expect(Set(updatePath.keys) == ["name_1", "name_2"])
        #expect(
            updatePath["name_1"]?["description"] as? String == "Sets `book.name` to `shelves/{name_1}/books/{name_2}`.")
        // A verb after a variable.
        _ = try Self.operation(document, "/v1/shelves/{parent}/books:whole", "post")
    }

    @Test("query parameters: the fields neither the path nor the body sets, nested ones dotted, maps as deepObject")
    func queryParameters() throws {
        let document = try Self.testDocument()
        let list = Self.parameters(try Self.operation(document, "/v1/shelves/{parent}/books", "get"), in: "query")
        #expect(
            Set(list.keys) == [
                "pageSize", "pageToken", "colors", "filter.author", "filter.minPages", "filter.color", "since",
                "labels",
                "colorByRank",
            ])
        #expect((list["pageSize"]?["schema"] as? Object)?["format"] as? String == "int32")
        let colors = try #require(list["colors"]?["schema"] as? Object)
        #expect(colors["type"] as? String == "array")
        #expect((colors["items"] as? Object)?["enum"] as? [String] == ["BLUE", "COLOR_UNSPECIFIED", "RED", "GREEN"])
        #expect((list["since"]?["schema"] as? Object)?["format"] as? String == "date-time")
        #expect(list["labels"]?["style"] as? String == "deepObject")
        #expect((list["labels"]?["description"] as? String)?.contains("`labels[KEY]=VALUE`") == true)

        // body: "book" leaves the other fields to the query; the path binds parent.
        let create = Self.parameters(try Self.operation(document, "/v1/shelves/{parent}/books", "post"), in: "query")
        #expect(Set(create.keys) == ["bookId", "color", "numbers"])
        // body: "*" leaves nothing to the query.
        let whole = try Self.operation(document, "/v1/shelves/{parent}/books:whole", "post")
        #expect(Self.parameters(whole, in: "query").isEmpty)
        // A path variable binding book.name leaves book to the body and update_mask to the query.
        let update = Self.parameters(
            try Self.operation(document, "/v1/shelves/{name_1}/books/{name_2}", "patch"), in: "query")
        #expect(Set(update.keys) == ["updateMask"])
    }

    @Test("request bodies: the whole message for *, the field's type for a field")
    func requestBodies() throws {
        let document = try Self.testDocument()
        func bodySchema(_ path: String, _ method: String) throws -> Object {
            let body = try #require(try Self.operation(document, path, method)["requestBody"] as? Object)
            let content = try #require(body["content"] as? Object)
            return try #require((content["application/json"] as? Object)?["schema"] as? Object)
        }
        #expect(
            try bodySchema("/v1/shelves/{parent}/books", "post")["$ref"] as? String == Self.ref("portico.test.Book"))
        #expect(
            try bodySchema("/v1/shelves/{parent}/books:whole", "post")["$ref"] as? String
                == Self.ref("portico.test.CreateBookRequest"))
        #expect(try Self.operation(document, "/v1/books/{name}", "get")["requestBody"] == nil)
        // An unannotated method: POST /package.Service/Method with the whole message.
        #expect(
            try bodySchema("/portico.test.Library/Echo", "post")["$ref"] as? String
                == Self.ref("portico.test.Everything"))
    }

    @Test("replies: the message, or the response_body field")
    func replies() throws {
        let document = try Self.testDocument()
        func replySchema(_ path: String, _ method: String) throws -> Object {
            let responses = try #require(try Self.operation(document, path, method)["responses"] as? Object)
            let ok = try #require(responses["200"] as? Object)
            return try #require(((ok["content"] as? Object)?["application/json"] as? Object)?["schema"] as? Object)
        }
        #expect(try replySchema("/v1/books/{name}", "get")["$ref"] as? String == Self.ref("portico.test.Book"))
        let books = try replySchema("/v1/shelves/{parent}/books", "get")
        #expect(books["type"] as? String == "array")
        #expect((books["items"] as? Object)?["$ref"] as? String == Self.ref("portico.test.Book"))
        #expect(
            try replySchema("/v1/shelves/{name_1}/books/{name_2}", "delete")["$ref"] as? String
                == Self.ref("google.protobuf.Empty"))
    }

    @Test("64-bit integers are decimal strings, or integers when the backend's json.int64AsNumbers is on")
    func int64() throws {
        let pages = try Self.property(try Self.testDocument(), "portico.test.Book", "pages")
        #expect(pages["type"] as? String == "string")
        #expect(pages["pattern"] as? String == "^-?[0-9]+$")
        var options = GatewayConfig.JSONOptions.defaults
        options.int64AsNumbers = true
        let numbers = try Self.property(try Self.testDocument(json: options), "portico.test.Book", "pages")
        #expect(numbers["type"] as? String == "integer")
        #expect(numbers["format"] as? String == "int64")
        let scalars = try Self.schema(try Self.testDocument(), "portico.test.Scalars")
        let properties = try #require(scalars["properties"] as? Object)
        #expect((properties["fUint64"] as? Object)?["pattern"] as? String == "^[0-9]+$")
        #expect((properties["fInt32"] as? Object)?["type"] as? String == "integer")
        #expect((properties["fBytes"] as? Object)?["contentEncoding"] as? String == "base64")
        #expect((properties["fDouble"] as? Object)?["anyOf"] != nil, "NaN and Infinity are strings")
    }

    @Test("enums are their value names (numbers with json.enumsAsInts); field names follow json.useProtoNames")
    func enumsAndNames() throws {
        let document = try Self.testDocument()
        #expect(
            try Self.property(document, "portico.test.Book", "color")["$ref"] as? String
                == Self.ref("portico.test.Color"))
        let color = try Self.schema(document, "portico.test.Color")
        #expect(color["type"] as? String == "string")
        #expect(color["enum"] as? [String] == ["BLUE", "COLOR_UNSPECIFIED", "RED", "GREEN"])
        #expect(try Self.property(document, "portico.test.Named", "renamed")["type"] as? String == "string")

        var options = GatewayConfig.JSONOptions.defaults
        options.enumsAsInts = true
        options.useProtoNames = true
        let other = try Self.testDocument(json: options)
        #expect(try Self.schema(other, "portico.test.Color")["enum"] as? [Int] == [-3, 0, 1, 2])
        _ = try Self.property(other, "portico.test.Named", "snake_case_field")
        _ = try Self.property(other, "portico.test.Named", "custom_json")
    }

    @Test("json.emitUnpopulated makes message fields nullable (unset ones print as null), wrappers once")
    func unpopulated() throws {
        var options = GatewayConfig.JSONOptions.defaults
        options.emitUnpopulated = true
        let document = try Self.testDocument(json: options)
        let sequel = try #require(try Self.property(document, "portico.test.Book", "sequel")["anyOf"] as? [Object])
        #expect(
            sequel.map { $0["$ref"] as? String ?? $0["type"] as? String } == [Self.ref("portico.test.Book"), "null"])
        let boolValue = try #require(
            try Self.property(document, "portico.test.WellKnown", "boolValue")["anyOf"] as? [Object])
        #expect(boolValue.map { $0["type"] as? String } == ["boolean", "null"])
        #expect(try Self.property(document, "portico.test.Book", "title")["type"] as? String == "string")
    }

    @Test("well-known types in their JSON forms")
    func wellKnownTypes() throws {
        let document = try Self.testDocument()
        func property(_ name: String) throws -> Object { try Self.property(document, "portico.test.WellKnown", name) }
        #expect(try property("timestamp")["format"] as? String == "date-time")
        #expect(try property("duration")["pattern"] as? String == "^-?[0-9]+(\\.[0-9]{1,9})?s$")
        #expect(try property("fieldMask")["type"] as? String == "string")
        let int64Value = try #require(try property("int64Value")["anyOf"] as? [Object])
        #expect(int64Value.map { $0["type"] as? String } == ["string", "null"])
        let boolValue = try #require(try property("boolValue")["anyOf"] as? [Object])
        #expect(boolValue.map { $0["type"] as? String } == ["boolean", "null"])
        #expect(try property("struct")["type"] as? String == "object")
        #expect(try property("value").isEmpty, "a Value is any JSON")
        #expect(try property("listValue")["type"] as? String == "array")
        #expect(try property("empty")["$ref"] as? String == Self.ref("google.protobuf.Empty"))
        let anys = try #require(try property("anys")["items"] as? Object)
        #expect(anys["required"] as? [String] == ["@type"])
        let values = try #require(try property("values")["additionalProperties"] as? Object)
        #expect(values.isEmpty)
    }

    @Test("maps are objects with additionalProperties; recursive messages refer to themselves")
    func mapsAndRecursion() throws {
        let document = try Self.testDocument()
        let int32ToInt64 = try Self.property(document, "portico.test.Maps", "int32ToInt64")
        #expect(int32ToInt64["type"] as? String == "object")
        #expect((int32ToInt64["propertyNames"] as? Object)?["pattern"] as? String == "^-?[0-9]+$")
        #expect((int32ToInt64["additionalProperties"] as? Object)?["type"] as? String == "string")
        let toTree = try Self.property(document, "portico.test.Maps", "stringToTree")
        #expect((toTree["additionalProperties"] as? Object)?["$ref"] as? String == Self.ref("portico.test.Tree"))
        let children = try Self.property(document, "portico.test.Tree", "children")
        #expect((children["items"] as? Object)?["$ref"] as? String == Self.ref("portico.test.Tree"))
        #expect(
            try Self.property(document, "portico.test.Book", "sequel")["$ref"] as? String
                == Self.ref("portico.test.Book"))
        #expect(try Self.schema(document, "portico.test.Book")["additionalProperties"] as? Bool == false)
    }

    @Test("server streaming replies are described line by line; client streaming methods are left out")
    func streaming() throws {
        let document = try Self.testDocument()
        let watch = try Self.operation(document, "/portico.test.Library/WatchBooks", "post")
        #expect(watch["x-portico-server-streaming"] as? Bool == true)
        let ok = try #require((watch["responses"] as? Object)?["200"] as? Object)
        let line = try #require(((ok["content"] as? Object)?["application/json"] as? Object)?["schema"] as? Object)
        let alternatives = try #require(line["oneOf"] as? [Object])
        #expect(alternatives.map { $0["required"] as? [String] } == [["result"], ["error"]])
        let result = try #require((alternatives[0]["properties"] as? Object)?["result"] as? Object)
        #expect(result["$ref"] as? String == Self.ref("portico.test.Book"))
        let paths = try #require(document["paths"] as? Object)
        #expect(paths["/portico.test.Library/UploadBooks"] == nil)
    }

    @Test("every operation's default reply is the JSON error body")
    func errors() throws {
        let document = try Self.testDocument()
        let paths = try #require(document["paths"] as? Object)
        for case let (path, item as Object) in paths {
            for case let (method, operation as Object) in item {
                let fallback = try #require(
                    (operation["responses"] as? Object)?["default"] as? Object, "\(method) \(path)")
                let schema = ((fallback["content"] as? Object)?["application/json"] as? Object)?["schema"] as? Object
                #expect(schema?["$ref"] as? String == Self.ref("portico.Error"))
            }
        }
        let error = try Self.schema(document, "portico.Error")
        #expect(error["required"] as? [String] == ["code", "message", "details"])
        #expect(Set((error["properties"] as? Object)?.keys.map { $0 } ?? []) == ["code", "message", "details"])
    }

    @Test("operation ids are unique")
    func uniqueOperationIDs() throws {
        let document = try Self.demoDocument()
        let paths = try #require(document["paths"] as? Object)
        let ids = paths.values.flatMap {
            ($0 as? Object)?.values.compactMap { ($0 as? Object)?["operationId"] as? String } ?? []
        }
        #expect(ids.count == Set(ids).count)
        #expect(ids.contains("LibraryService_UpdateBook2"))
    }

    @Test("services of one simple name in two packages get operation ids qualified by package")
    func qualifiedOperationIDs() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "bench/services/generate.py")
        let generated = try await HelperProcess.run(
            "/usr/bin/env", ["python3", script.path, "2", folder.path], timeout: 60)
        try #require(generated.status == 0, "\(generated.standardError)")
        let config = try GatewayConfig.load(file: folder.appendingPathComponent("portico.yaml").path)
        let document = try Self.parse(OpenAPIDocument(runtime: GatewayRuntime(config: config)).json)
        let paths = try #require(document["paths"] as? Object)
        let ids = paths.values.flatMap {
            ($0 as? Object)?.values.compactMap { ($0 as? Object)?["operationId"] as? String } ?? []
        }
        #expect(ids.contains("bench_s0000_v1_ItemService_GetItem"))
        #expect(ids.contains("bench_s0001_v1_ItemService_GetItem"))
        #expect(ids.count == Set(ids).count)
        // GetItem's {name} and UpdateItem's {item.name} are one path item, with GetItem's parameter name.
        let item = try #require(paths["/v1/s0000/items/{name}"] as? Object)
        #expect(Set(item.keys) == ["get", "patch", "delete", "put"])
    }

    @Test("the .proto comments are descriptions when the descriptor set carries source info")
    func comments() throws {
        let document = try Self.demoDocument()
        let get = try Self.operation(document, "/v1/shelves/{name_1}/books/{name_2}", "get")
        #expect(get["description"] as? String == "Returns a book, or NOT_FOUND.")
        #expect(
            try Self.schema(document, "portico.demo.library.v1.Book")["description"] as? String == "A book on a shelf.")
        #expect(
            try Self.property(document, "portico.demo.library.v1.Book", "rating")["description"] as? String == "0 to 5."
        )
        let tags = try #require(document["tags"] as? [Object])
        #expect(
            tags.first { $0["name"] as? String == "portico.demo.library.v1.LibraryService" }?["description"] as? String
                == "Manages shelves and the books on them.")
        let list = Self.parameters(try Self.operation(document, "/v1/shelves/{parent}/books", "get"), in: "query")
        #expect(list["pageSize"]?["description"] as? String == "0 means 10; at most 100.")
    }

    @Test("?backend=NAME narrows the document; an unknown backend is not found")
    func backendFilter() throws {
        let echo = try Self.demoDocument(backend: "echo")
        let paths = try #require(echo["paths"] as? Object)
        #expect(paths["/v1/echo"] != nil)
        #expect(paths.keys.allSatisfy { !$0.contains("shelves") })
        let config = GatewayConfig(backends: [RouteListingTests.backend("echo", .echo)])
        #expect {
            _ = try OpenAPIDocument(runtime: GatewayRuntime(config: config), backend: "nope")
        } throws: { error in
            (error as? GatewayError)?.httpStatus == 404
        }
    }
}
