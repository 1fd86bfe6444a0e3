import SwiftProtobuf

/// Collects file descriptors, checks them for conflicts, and compiles them into a `SchemaTable` and service
/// descriptors.
struct SchemaCompiler {
    /// Which of the added messages `compile` turns into layouts.
    enum Coverage {
        /// Every message added.
        case allMessages
        /// Every message but those of the options' schema: the files of descriptor.proto, of extensions of its
        /// `…Options` messages and of those extensions' types (google/api/http.proto), which a set carries only
        /// so that the annotations parse. An API message that reaches them through a field brings them back.
        /// Most of a typical service's set is its options' schema, repeated in every backend's set.
        case allButOptionSchemas
    }

    private struct MessageSource {
        let proto: Google_Protobuf_DescriptorProto
        let fullName: String
        let isProto3: Bool
        let file: String
        let source: String
    }

    /// Where each added message and enum went in the compiled table (-1: left out).
    private struct Slots {
        var messages: [Int]
        var enums: [Int]
    }

    private struct EnumSource {
        let proto: Google_Protobuf_EnumDescriptorProto
        let fullName: String
    }

    private var files: [String: Google_Protobuf_FileDescriptorProto] = [:]
    private var fileOrder: [(file: Google_Protobuf_FileDescriptorProto, source: String)] = []
    private var messages: [MessageSource] = []
    private var enums: [EnumSource] = []
    private var messageIndices: [String: Int] = [:]
    private var enumIndices: [String: Int] = [:]
    private var symbolFiles: [String: String] = [:]

    /// Adds one file; an identical copy of an already added file is skipped.
    mutating func add(_ file: Google_Protobuf_FileDescriptorProto, source: String) throws(DescriptorError) {
        if let existing = files[file.name] {
            if existing == file { return }
            throw DescriptorError(
                code: .conflictingDefinition,
                source: source,
                message: "file \(file.name) differs from the one loaded before"
            )
        }
        files[file.name] = file
        fileOrder.append((file, source))
        let prefix = file.package.isEmpty ? "" : file.package + "."
        let isProto3 = file.syntax == "proto3"
        for message in file.messageType {
            try addMessage(message, prefix: prefix, isProto3: isProto3, file: file.name, source: source)
        }
        for enumType in file.enumType {
            try addEnum(enumType, prefix: prefix, file: file.name, source: source)
        }
        for service in file.service {
            try claim(prefix + service.name, file: file.name, source: source)
        }
    }

    private mutating func claim(_ fullName: String, file: String, source: String) throws(DescriptorError) {
        if let owner = symbolFiles[fullName] {
            throw DescriptorError(
                code: .conflictingDefinition,
                source: source,
                message: "\(fullName) is defined in both \(owner) and \(file)"
            )
        }
        symbolFiles[fullName] = file
    }

    private mutating func addMessage(
        _ message: Google_Protobuf_DescriptorProto,
        prefix: String,
        isProto3: Bool,
        file: String,
        source: String
    ) throws(DescriptorError) {
        let fullName = prefix + message.name
        try claim(fullName, file: file, source: source)
        messageIndices[fullName] = messages.count
        messages.append(
            MessageSource(proto: message, fullName: fullName, isProto3: isProto3, file: file, source: source))
        for nested in message.nestedType {
            try addMessage(nested, prefix: fullName + ".", isProto3: isProto3, file: file, source: source)
        }
        for enumType in message.enumType {
            try addEnum(enumType, prefix: fullName + ".", file: file, source: source)
        }
    }

    private mutating func addEnum(
        _ enumType: Google_Protobuf_EnumDescriptorProto,
        prefix: String,
        file: String,
        source: String
    ) throws(DescriptorError) {
        let fullName = prefix + enumType.name
        try claim(fullName, file: file, source: source)
        enumIndices[fullName] = enums.count
        enums.append(EnumSource(proto: enumType, fullName: fullName))
    }

    /// Compiles the messages that `coverage` keeps, the enums their fields use, and every service.
    func compile(directory: TypeDirectory?, coverage: Coverage = .allButOptionSchemas) throws(DescriptorError)
        -> (table: SchemaTable, services: [ServiceDescriptor])
    {
        let kept = coverage == .allMessages ? Array(messages.indices) : messagesOutsideOptionSchemas()
        var slots = Slots(
            messages: [Int](repeating: -1, count: messages.count), enums: [Int](repeating: -1, count: enums.count))
        var keptEnums: [Int] = []
        for (slot, index) in kept.enumerated() {
            slots.messages[index] = slot
            for field in messages[index].proto.field where field.type == .enum {
                guard let enumIndex = enumIndices[Self.unqualified(field.typeName)], slots.enums[enumIndex] < 0 else {
                    continue
                }
                slots.enums[enumIndex] = keptEnums.count
                keptEnums.append(enumIndex)
            }
        }
        var messageLayouts: [MessageLayout] = []
        messageLayouts.reserveCapacity(kept.count)
        for index in kept {
            messageLayouts.append(try compileMessage(messages[index], slots: slots))
        }
        var compiledIndices: [String: Int] = [:]
        compiledIndices.reserveCapacity(kept.count)
        for (slot, index) in kept.enumerated() {
            compiledIndices[messages[index].fullName] = slot
        }
        let table = SchemaTable(
            messages: messageLayouts, enums: keptEnums.map { compileEnum(enums[$0]) },
            messageIndices: compiledIndices, directory: directory)
        var services: [ServiceDescriptor] = []
        for (file, source) in fileOrder {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for service in file.service {
                let serviceName = prefix + service.name
                var methods: [MethodDescriptor] = []
                for method in service.method {
                    methods.append(
                        try compileMethod(method, service: serviceName, table: table, slots: slots, source: source))
                }
                services.append(ServiceDescriptor(fullName: serviceName, methods: methods))
            }
        }
        return (table, services)
    }

    /// The messages `Coverage.allButOptionSchemas` keeps, in the order they were added.
    private func messagesOutsideOptionSchemas() -> [Int] {
        // Files of the options' schema: descriptor.proto, those extending its `…Options` messages
        // (google/api/annotations.proto) and those defining the extensions' types (google/api/http.proto).
        var optionFiles: Set<String> = ["google/protobuf/descriptor.proto"]
        for (file, _) in fileOrder {
            let extensions = file.extension + file.messageType.flatMap(Self.nestedExtensions)
            for field in extensions
            where field.extendee.hasPrefix(".google.protobuf.") && field.extendee.hasSuffix("Options") {
                optionFiles.insert(file.name)
                if let index = messageIndices[Self.unqualified(field.typeName)] {
                    optionFiles.insert(messages[index].file)
                }
            }
        }
        var isKept = messages.map { !optionFiles.contains($0.file) }
        var pending = messages.indices.filter { isKept[$0] }.flatMap(fieldTypes)
        while let index = pending.popLast() {
            guard !isKept[index] else { continue }
            isKept[index] = true
            pending += fieldTypes(of: index)
        }
        return messages.indices.filter { isKept[$0] }
    }

    /// The messages that the fields of message `index` hold (those that resolve).
    private func fieldTypes(of index: Int) -> [Int] {
        messages[index].proto.field.compactMap { field in
            field.type == .message || field.type == .group ? messageIndices[Self.unqualified(field.typeName)] : nil
        }
    }

    private static func nestedExtensions(_ message: Google_Protobuf_DescriptorProto)
        -> [Google_Protobuf_FieldDescriptorProto]
    {
        message.extension + message.nestedType.flatMap(nestedExtensions)
    }

    private static func unqualified(_ typeName: String) -> String {
        typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    }

    private func resolve(_ typeName: String, in indices: [String: Int], source: String, user: String)
        throws(DescriptorError) -> Int
    {
        guard let index = indices[Self.unqualified(typeName)] else {
            throw DescriptorError(
                code: .unresolvedType, source: source, message: "\(user) refers to unknown type \(typeName)")
        }
        return index
    }

    private func compileMessage(_ message: MessageSource, slots: Slots) throws(DescriptorError) -> MessageLayout {
        let proto = message.proto
        var realOneofs: [Int: Int] = [:]
        var oneofNames: [String] = []
        for (index, oneof) in proto.oneofDecl.enumerated() {
            let isSynthetic = proto.field.allSatisfy {
                !$0.hasOneofIndex || Int($0.oneofIndex) != index || $0.proto3Optional
            }
            if !isSynthetic {
                realOneofs[index] = oneofNames.count
                oneofNames.append(oneof.name)
            }
        }
        var fields: [FieldLayout] = []
        for field in proto.field {
            let user = "\(message.fullName).\(field.name)"
            let kind = Self.kind(of: field.type)
            var typeIndex = -1
            var isMap = false
            if kind == .message || kind == .group {
                let target = try resolve(field.typeName, in: messageIndices, source: message.source, user: user)
                isMap = field.label == .repeated && messages[target].proto.options.mapEntry
                typeIndex = slots.messages[target]
            } else if kind == .enumeration {
                let target = try resolve(field.typeName, in: enumIndices, source: message.source, user: user)
                typeIndex = slots.enums[target]
            }
            let isRepeated = field.label == .repeated
            let oneofIndex = field.hasOneofIndex ? realOneofs[Int(field.oneofIndex)] ?? -1 : -1
            let hasPresence: Bool
            if isRepeated {
                hasPresence = false
            } else if message.isProto3 {
                hasPresence = field.proto3Optional || oneofIndex >= 0 || kind == .message || kind == .group
            } else {
                hasPresence = true
            }
            let isPacked =
                isRepeated && kind.isPackable
                && (field.options.hasPacked ? field.options.packed : message.isProto3)
            let jsonName = field.hasJsonName ? field.jsonName : Self.lowerCamel(field.name)
            fields.append(
                FieldLayout(
                    number: UInt32(field.number),
                    protoName: field.name,
                    jsonName: jsonName,
                    jsonKey: Self.key(jsonName),
                    protoKey: Self.key(field.name),
                    kind: kind,
                    isRepeated: isRepeated,
                    isMap: isMap,
                    isPacked: isPacked,
                    hasPresence: hasPresence,
                    oneofIndex: oneofIndex,
                    typeIndex: typeIndex
                )
            )
        }
        return MessageLayout(
            fullName: message.fullName,
            fields: fields,
            oneofNames: oneofNames,
            wellKnown: WellKnownType(fullName: message.fullName)
        )
    }

    private func compileEnum(_ source: EnumSource) -> EnumLayout {
        var quoted: [Int32: [UInt8]] = [:]
        for value in source.proto.value where quoted[value.number] == nil {
            var bytes: [UInt8] = []
            JSONString.append(value.name, to: &bytes)
            quoted[value.number] = bytes
        }
        return EnumLayout(
            fullName: source.fullName,
            numbersByName: NameTable(source.proto.value.map { ($0.name, $0.number) }),
            quotedNames: quoted,
            defaultNumber: source.proto.value.first?.number ?? 0,
            isNullValue: source.fullName == "google.protobuf.NullValue"
        )
    }

    private func compileMethod(
        _ method: Google_Protobuf_MethodDescriptorProto,
        service: String,
        table: SchemaTable,
        slots: Slots,
        source: String
    ) throws(DescriptorError) -> MethodDescriptor {
        let fullName = "\(service).\(method.name)"
        let input = slots.messages[try resolve(method.inputType, in: messageIndices, source: source, user: fullName)]
        let output = slots.messages[try resolve(method.outputType, in: messageIndices, source: source, user: fullName)]
        var bindings: [HTTPBinding] = []
        if method.options.hasGoogle_Api_http {
            let rule = method.options.Google_Api_http
            for candidate in [rule] + rule.additionalBindings {
                guard let binding = try Self.binding(candidate, method: fullName, source: source) else { continue }
                try Self.validate(
                    binding, input: table.messages[input], output: table.messages[output], table: table,
                    method: fullName, source: source)
                bindings.append(binding)
            }
        }
        return MethodDescriptor(
            name: method.name,
            fullName: fullName,
            grpcPath: "/\(service)/\(method.name)",
            input: MessageSchema(table: table, index: input),
            output: MessageSchema(table: table, index: output),
            isClientStreaming: method.clientStreaming,
            isServerStreaming: method.serverStreaming,
            httpBindings: bindings
        )
    }

    private static func binding(_ rule: Google_Api_HttpRule, method: String, source: String)
        throws(DescriptorError) -> HTTPBinding?
    {
        let verb: String
        let path: String
        switch rule.pattern {
        case .get(let template): (verb, path) = ("GET", template)
        case .put(let template): (verb, path) = ("PUT", template)
        case .post(let template): (verb, path) = ("POST", template)
        case .delete(let template): (verb, path) = ("DELETE", template)
        case .patch(let template): (verb, path) = ("PATCH", template)
        case .custom(let custom): (verb, path) = (custom.kind, custom.path)
        case nil: return nil
        }
        let body: HTTPBinding.BodySelector =
            switch rule.body {
            case "": .none
            case "*": .wholeMessage
            default: .field(rule.body.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
            }
        let responseBody =
            rule.responseBody.isEmpty
            ? nil : rule.responseBody.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return HTTPBinding(httpMethod: verb, pathTemplate: path, body: body, responseBody: responseBody)
    }

    private static func validate(
        _ binding: HTTPBinding,
        input: MessageLayout,
        output: MessageLayout,
        table: SchemaTable,
        method: String,
        source: String
    ) throws(DescriptorError) {
        if case .field(let path) = binding.body, FieldPath.resolve(path, in: input, table: table) == nil {
            throw DescriptorError(
                code: .invalidHTTPRule,
                source: source,
                message: "\(method): body \"\(path.joined(separator: "."))\" is not a field of \(input.fullName)"
            )
        }
        if let path = binding.responseBody, FieldPath.resolve(path, in: output, table: table) == nil {
            throw DescriptorError(
                code: .invalidHTTPRule,
                source: source,
                message:
                    "\(method): response_body \"\(path.joined(separator: "."))\" is not a field of \(output.fullName)"
            )
        }
    }

    private static func kind(of type: Google_Protobuf_FieldDescriptorProto.TypeEnum) -> FieldKind {
        switch type {
        case .double: .double
        case .float: .float
        case .int64: .int64
        case .uint64: .uint64
        case .int32: .int32
        case .fixed64: .fixed64
        case .fixed32: .fixed32
        case .bool: .bool
        case .string: .string
        case .group: .group
        case .message: .message
        case .bytes: .bytes
        case .uint32: .uint32
        case .enum: .enumeration
        case .sfixed32: .sfixed32
        case .sfixed64: .sfixed64
        case .sint32: .sint32
        case .sint64: .sint64
        }
    }

    /// protoc's default JSON name: underscores dropped, the letter after each one upper-cased.
    static func lowerCamel(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = true
            } else if upperNext {
                result += character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    private static func key(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONString.append(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        return bytes
    }
}
