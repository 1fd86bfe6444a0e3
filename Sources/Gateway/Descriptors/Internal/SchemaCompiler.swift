import SwiftProtobuf

/// Collects file descriptors, checks them for conflicts, and compiles them into a `SchemaTable` and service
/// descriptors.
struct SchemaCompiler {
    private struct MessageSource {
        let proto: Google_Protobuf_DescriptorProto
        let fullName: String
        let isProto3: Bool
        let source: String
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

    /// Adds a file the gateway ships (the google.rpc error types) unless the loaded descriptors already have a
    /// file of that name or define one of its types: the backend's own copy wins.
    mutating func addUnlessDefined(_ file: Google_Protobuf_FileDescriptorProto, source: String) throws(DescriptorError) {
        let prefix = file.package.isEmpty ? "" : file.package + "."
        let names = file.messageType.map { prefix + $0.name } + file.enumType.map { prefix + $0.name }
        guard files[file.name] == nil, !names.contains(where: { symbolFiles[$0] != nil }) else { return }
        try add(file, source: source)
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
        messages.append(MessageSource(proto: message, fullName: fullName, isProto3: isProto3, source: source))
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

    /// Compiles everything added so far.
    func compile(directory: TypeDirectory?) throws(DescriptorError) -> (table: SchemaTable, services: [ServiceDescriptor]) {
        var messageLayouts: [MessageLayout] = []
        messageLayouts.reserveCapacity(messages.count)
        for message in messages {
            messageLayouts.append(try compileMessage(message))
        }
        let enumLayouts = enums.map(compileEnum)
        let table = SchemaTable(
            messages: messageLayouts, enums: enumLayouts, messageIndices: messageIndices, directory: directory)
        var services: [ServiceDescriptor] = []
        for (file, source) in fileOrder {
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for service in file.service {
                let serviceName = prefix + service.name
                var methods: [MethodDescriptor] = []
                for method in service.method {
                    methods.append(try compileMethod(method, service: serviceName, table: table, source: source))
                }
                services.append(ServiceDescriptor(fullName: serviceName, methods: methods))
            }
        }
        return (table, services)
    }

    private func resolve(_ typeName: String, in indices: [String: Int], source: String, user: String)
        throws(DescriptorError) -> Int
    {
        let name = typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
        guard let index = indices[name] else {
            throw DescriptorError(
                code: .unresolvedType, source: source, message: "\(user) refers to unknown type \(typeName)")
        }
        return index
    }

    private func compileMessage(_ message: MessageSource) throws(DescriptorError) -> MessageLayout {
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
                typeIndex = try resolve(field.typeName, in: messageIndices, source: message.source, user: user)
                isMap = field.label == .repeated && messages[typeIndex].proto.options.mapEntry
            } else if kind == .enumeration {
                typeIndex = try resolve(field.typeName, in: enumIndices, source: message.source, user: user)
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
        source: String
    ) throws(DescriptorError) -> MethodDescriptor {
        let fullName = "\(service).\(method.name)"
        let input = try resolve(method.inputType, in: messageIndices, source: source, user: fullName)
        let output = try resolve(method.outputType, in: messageIndices, source: source, user: fullName)
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
