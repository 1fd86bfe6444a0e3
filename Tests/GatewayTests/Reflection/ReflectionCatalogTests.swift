import SwiftProtobuf
import Testing

@testable import Gateway

/// What the gateway's own reflection service answers, question by question, from descriptors made here.
@Suite("Reflection catalog")
struct ReflectionCatalogTests {
    /// `a/common.proto`: message `a.Shared` (field `id`, nested enum `Kind` with `KIND_NONE`) and enum `a.Color`
    /// (`RED`).
    static func common(extraField: Bool = false) -> Google_Protobuf_FileDescriptorProto {
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "a/common.proto"
        file.package = "a"
        var shared = Google_Protobuf_DescriptorProto()
        shared.name = "Shared"
        shared.field = [Self.field("id", 1)] + (extraField ? [Self.field("extra", 2)] : [])
        var kind = Google_Protobuf_EnumDescriptorProto()
        kind.name = "Kind"
        kind.value = [Self.enumValue("KIND_NONE", 0)]
        shared.enumType = [kind]
        var color = Google_Protobuf_EnumDescriptorProto()
        color.name = "Color"
        color.value = [Self.enumValue("RED", 0)]
        file.messageType = [shared]
        file.enumType = [color]
        return file
    }

    /// `a/alpha.proto`, importing `a/common.proto`: service `a.Alpha` (method `Get`), message `a.Outer` with a
    /// nested `Inner`, a oneof `choice`, and an extension `a.Outer.note` = 200 of `a.Shared`; a top-level extension
    /// `a.tag` = 100 of `a.Shared`.
    static func alpha(service: String = "Alpha") -> Google_Protobuf_FileDescriptorProto {
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "a/alpha.proto"
        file.package = "a"
        file.dependency = ["a/common.proto"]
        var method = Google_Protobuf_MethodDescriptorProto()
        method.name = "Get"
        method.inputType = ".a.Shared"
        method.outputType = ".a.Outer"
        var alpha = Google_Protobuf_ServiceDescriptorProto()
        alpha.name = service
        alpha.method = [method]
        file.service = [alpha]
        var outer = Google_Protobuf_DescriptorProto()
        outer.name = "Outer"
        var inner = Google_Protobuf_DescriptorProto()
        inner.name = "Inner"
        inner.field = [Self.field("x", 1)]
        outer.nestedType = [inner]
        var choice = Google_Protobuf_OneofDescriptorProto()
        choice.name = "choice"
        outer.oneofDecl = [choice]
        var first = Self.field("first", 1)
        first.oneofIndex = 0
        outer.field = [first]
        var note = Self.field("note", 200)
        note.extendee = ".a.Shared"
        outer.extension = [note]
        file.messageType = [outer]
        var tag = Self.field("tag", 100)
        tag.extendee = ".a.Shared"
        file.extension = [tag]
        return file
    }

    /// `b/beta.proto`, importing `a/common.proto`: service `b.Beta` (method `Put`).
    static func beta() -> Google_Protobuf_FileDescriptorProto {
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "b/beta.proto"
        file.package = "b"
        file.dependency = ["a/common.proto"]
        var method = Google_Protobuf_MethodDescriptorProto()
        method.name = "Put"
        method.inputType = ".a.Shared"
        method.outputType = ".a.Shared"
        var beta = Google_Protobuf_ServiceDescriptorProto()
        beta.name = "Beta"
        beta.method = [method]
        file.service = [beta]
        return file
    }

    static func field(_ name: String, _ number: Int32) -> Google_Protobuf_FieldDescriptorProto {
        var field = Google_Protobuf_FieldDescriptorProto()
        field.name = name
        field.number = number
        field.type = .int32
        field.label = .optional
        return field
    }

    static func enumValue(_ name: String, _ number: Int32) -> Google_Protobuf_EnumValueDescriptorProto {
        var value = Google_Protobuf_EnumValueDescriptorProto()
        value.name = name
        value.number = number
        return value
    }

    static func set(_ files: [Google_Protobuf_FileDescriptorProto]) -> [UInt8] {
        var set = Google_Protobuf_FileDescriptorSet()
        set.file = files
        return try! set.serializedBytes()
    }

    /// Backend `one` serving `a.Alpha` from `common` + `alpha`, backend `two` serving `b.Beta` from `common` +
    /// `beta`.
    static func twoBackends() -> ReflectionCatalog {
        ReflectionCatalog(backends: [
            .init(name: "one", services: ["a.Alpha"], descriptorSets: [set([common(), alpha()])]),
            .init(name: "two", services: ["b.Beta"], descriptorSets: [set([common(), beta()])]),
        ])
    }

    /// The names of the files of an answer, or the error's code.
    static func names(_ response: ReflectionResponse) -> [String] {
        switch response {
        case .files(let files): files.map(\.name)
        case .error(let code, _): ["error \(code)"]
        default: ["\(response)"]
        }
    }

    static func ask(_ catalog: ReflectionCatalog, _ request: ReflectionRequest) -> [String] {
        var sent: Set<String> = []
        return names(catalog.answer(request, sentFiles: &sent))
    }

    @Test("list_services: every backend's routed services and both reflection services, sorted")
    func listServices() {
        let catalog = ReflectionCatalog(backends: [
            .init(name: "one", services: ["a.Alpha"], descriptorSets: [Self.set([Self.common(), Self.alpha()])]),
            // Beta's file is loaded but its backend's `services` filter leaves it out.
            .init(name: "two", services: [], descriptorSets: [Self.set([Self.common(), Self.beta()])]),
        ])
        var sent: Set<String> = []
        #expect(
            catalog.answer(.listServices, sentFiles: &sent)
                == .services([
                    "a.Alpha", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
                ]))
        #expect(sent.isEmpty)
    }

    @Test("file_by_filename: the file, then its imports; a stream is sent each import once, the root every time")
    func fileByFilenameWithDependencies() {
        let catalog = Self.twoBackends()
        var sent: Set<String> = []
        #expect(
            Self.names(catalog.answer(.fileByFilename("a/alpha.proto"), sentFiles: &sent)) == [
                "a/alpha.proto", "a/common.proto",
            ])
        #expect(Self.names(catalog.answer(.fileByFilename("b/beta.proto"), sentFiles: &sent)) == ["b/beta.proto"])
        #expect(Self.names(catalog.answer(.fileByFilename("a/common.proto"), sentFiles: &sent)) == ["a/common.proto"])
        #expect(sent == ["a/alpha.proto", "a/common.proto", "b/beta.proto"])
        // The bytes are the set's own.
        guard case .files(let files) = catalog.answer(.fileByFilename("a/alpha.proto"), sentFiles: &sent) else {
            Issue.record("no files")
            return
        }
        #expect(files.first?.bytes == (try! Self.alpha().serializedBytes()))
    }

    @Test(
        "file_containing_symbol resolves every kind of name protobuf gives a descriptor",
        arguments: [
            ("a.Alpha", "a/alpha.proto"), ("a.Alpha.Get", "a/alpha.proto"), ("a.Outer", "a/alpha.proto"),
            ("a.Outer.Inner", "a/alpha.proto"), ("a.Outer.Inner.x", "a/alpha.proto"),
            ("a.Outer.first", "a/alpha.proto"),
            ("a.Outer.choice", "a/alpha.proto"), ("a.Outer.note", "a/alpha.proto"), ("a.tag", "a/alpha.proto"),
            ("a.Shared", "a/common.proto"), ("a.Shared.id", "a/common.proto"), ("a.Shared.Kind", "a/common.proto"),
            // An enum's values are named in the scope that holds the enum.
            ("a.Shared.KIND_NONE", "a/common.proto"), ("a.Color", "a/common.proto"), ("a.RED", "a/common.proto"),
            ("b.Beta.Put", "b/beta.proto"),
            ("grpc.reflection.v1.ServerReflection", "grpc/reflection/v1/reflection.proto"),
            (
                "grpc.reflection.v1alpha.ServerReflection.ServerReflectionInfo",
                "grpc/reflection/v1alpha/reflection.proto"
            ),
            ("grpc.reflection.v1.ServerReflectionRequest", "grpc/reflection/v1/reflection.proto"),
        ])
    func fileContainingSymbol(symbol: String, file: String) {
        #expect(Self.ask(Self.twoBackends(), .fileContainingSymbol(symbol)).first == file)
    }

    @Test(
        "An unknown file, symbol, extension or type is an error_response with NOT_FOUND",
        arguments: [
            ReflectionRequest.fileByFilename("c/none.proto"), .fileContainingSymbol("a.Color.RED"),
            .fileContainingSymbol("a.Missing"), .fileContainingSymbol(".a.Shared"),
            .fileContainingExtension(containingType: "a.Shared", number: 7),
            .fileContainingExtension(containingType: "a.Outer", number: 100), .allExtensionNumbersOfType("a.Nothing"),
        ])
    func notFound(request: ReflectionRequest) {
        var sent: Set<String> = []
        guard case .error(let code, let message) = Self.twoBackends().answer(request, sentFiles: &sent) else {
            Issue.record("\(request) was answered")
            return
        }
        #expect(code == 5)
        #expect(message.contains("not found"))
        #expect(sent.isEmpty)
    }

    @Test("Extensions: the file declaring one by its type and number, and every number of a type")
    func extensions() {
        let catalog = Self.twoBackends()
        #expect(
            Self.ask(catalog, .fileContainingExtension(containingType: "a.Shared", number: 200)) == [
                "a/alpha.proto", "a/common.proto",
            ])
        var sent: Set<String> = []
        #expect(
            catalog.answer(.allExtensionNumbersOfType("a.Shared"), sentFiles: &sent)
                == .extensionNumbers(baseTypeName: "a.Shared", numbers: [100, 200]))
        // A known message without extensions has none.
        #expect(
            catalog.answer(.allExtensionNumbersOfType("a.Outer.Inner"), sentFiles: &sent)
                == .extensionNumbers(baseTypeName: "a.Outer.Inner", numbers: []))
    }

    @Test("Same-named files: identical bytes are one file; different contents go by the rule of the catalog")
    func duplicateFiles() {
        // Backend one imports an older a/common.proto and declares a.Alpha without serving it; backend two serves
        // a.Alpha from a file of the same name, with a common.proto of its own.
        let oldAlpha = Self.alpha(service: "Alpha")
        var newAlpha = Self.alpha(service: "Alpha")
        newAlpha.messageType[0].field.append(Self.field("second", 2))
        let catalog = ReflectionCatalog(backends: [
            .init(name: "one", services: [], descriptorSets: [Self.set([Self.common(), oldAlpha])]),
            .init(
                name: "two", services: ["a.Alpha"],
                descriptorSets: [Self.set([Self.common(extraField: true), newAlpha])]),
        ])
        var sent: Set<String> = []
        // By name: the first backend's copies.
        guard case .files(let byName) = catalog.answer(.fileByFilename("a/alpha.proto"), sentFiles: &sent) else {
            Issue.record("no files")
            return
        }
        #expect(byName.map(\.bytes) == [try! oldAlpha.serializedBytes(), try! Self.common().serializedBytes()])
        // By a symbol of a served service's file: the serving backend's copy, and its imports from that backend.
        sent = []
        guard case .files(let bySymbol) = catalog.answer(.fileContainingSymbol("a.Outer"), sentFiles: &sent) else {
            Issue.record("no files")
            return
        }
        #expect(
            bySymbol.map(\.bytes) == [
                try! newAlpha.serializedBytes(), try! Self.common(extraField: true).serializedBytes(),
            ])
        // a.Shared.extra is declared in backend two's copy only; a.Shared, by both, goes to the first.
        #expect(Self.ask(catalog, .fileContainingSymbol("a.Shared.extra")) == ["a/common.proto"])
        guard case .files(let shared) = catalog.answer(.fileContainingSymbol("a.Shared"), sentFiles: &sent) else {
            Issue.record("no files")
            return
        }
        #expect(shared.map(\.bytes) == [try! Self.common().serializedBytes()])
    }

    @Test("Files given one by one (as reflection fetches them) answer as sets do")
    func filesInsteadOfSets() {
        let catalog = ReflectionCatalog(backends: [
            .init(
                name: "one", services: ["b.Beta"],
                descriptors: .files([try! Self.common().serializedBytes(), try! Self.beta().serializedBytes()]))
        ])
        #expect(Self.ask(catalog, .fileContainingSymbol("b.Beta")) == ["b/beta.proto", "a/common.proto"])
    }

    @Test("Bytes that are no descriptor set are read as far as they go; nothing is read before the first question")
    func damagedSet() {
        var damaged = Self.set([Self.beta()])
        damaged += [1 << 3 | 2, 0x7F]  // a file entry longer than what is left
        let catalog = ReflectionCatalog(backends: [
            .init(name: "one", services: ["b.Beta"], descriptorSets: [damaged, [0xFF, 0xFF]])
        ])
        #expect(Self.ask(catalog, .fileContainingSymbol("b.Beta")) == ["b/beta.proto"])
    }

    @Test("An import no backend has is left out of the answer")
    func missingImport() {
        let catalog = ReflectionCatalog(backends: [
            .init(name: "one", services: ["b.Beta"], descriptorSets: [Self.set([Self.beta()])])
        ])
        #expect(Self.ask(catalog, .fileByFilename("b/beta.proto")) == ["b/beta.proto"])
    }
}

extension ReflectionCatalog.Backend {
    /// A backend described by serialized `FileDescriptorSet`s.
    fileprivate init(name: String, services: [String], descriptorSets: [[UInt8]]) {
        self.init(name: name, services: services, descriptors: .sets(descriptorSets))
    }
}
