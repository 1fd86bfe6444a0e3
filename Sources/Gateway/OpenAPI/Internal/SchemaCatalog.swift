/// JSON Schemas of messages, enums and fields in the proto3 JSON form Portico reads and prints, and the named
/// schemas (`components/schemas`) they refer to: one per message or enum, by full name, so that recursive
/// messages are plain `$ref`s.
struct SchemaCatalog {
    /// The printing options that change a schema. A type needed under two styles (two backends with different
    /// `json` sections) gets a second component, its name suffixed with the style.
    struct Style: Hashable {
        var useProtoNames: Bool
        var enumsAsInts: Bool
        var int64AsNumbers: Bool
        var emitUnpopulated: Bool

        init(_ options: TranscodingOptions) {
            useProtoNames = options.useProtoNames
            enumsAsInts = options.enumsAsInts
            int64AsNumbers = options.int64AsNumbers
            emitUnpopulated = options.emitUnpopulated
        }

        /// `-protoNames-enumInts-int64Numbers-unpopulated`, the options that are on.
        var suffix: String {
            [
                (useProtoNames, "protoNames"), (enumsAsInts, "enumInts"), (int64AsNumbers, "int64Numbers"),
                (emitUnpopulated, "unpopulated"),
            ].filter { $0.0 }.map { "-" + $0.1 }.joined()
        }
    }

    /// The name of the schema of Portico's JSON error body.
    static let errorSchemaName = "portico.Error"

    /// The named schemas in the order they were first needed.
    private(set) var components: [(name: String, schema: JSONValue)] = []
    private var componentNames: [String: Int] = [:]
    private var namesByType: [TypeKey: String] = [:]

    private struct TypeKey: Hashable {
        var fullName: String
        var isEnum: Bool
        var style: Style
    }

    init() {
        add(name: Self.errorSchemaName, schema: Self.errorSchema)
    }

    /// `{"$ref": "#/components/schemas/NAME"}`.
    static func reference(_ name: String) -> JSONValue {
        .object([("$ref", .string("#/components/schemas/" + name))])
    }

    /// The schema of a message's JSON: its special form for a well-known type, else a reference to its named
    /// schema.
    mutating func message(_ index: Int, in table: SchemaTable, style: Style, comments: DescriptorComments)
        -> JSONValue
    {
        let layout = table.messages[index]
        if let wellKnown = layout.wellKnown { return Self.wellKnownSchema(wellKnown, style: style) }
        let key = TypeKey(fullName: layout.fullName, isEnum: false, style: style)
        if let name = namesByType[key] { return Self.reference(name) }
        let name = reserveName(for: key)
        var properties: [(key: String, value: JSONValue)] = []
        for field in layout.fields {
            let schema = self.field(field, of: layout, in: table, style: style, comments: comments)
            properties.append((style.useProtoNames ? field.protoName : field.jsonName, schema))
        }
        var members: [(key: String, value: JSONValue)] = [("type", .string("object"))]
        if let comment = comments.comment(for: layout.fullName) { members.append(("description", .string(comment))) }
        members.append(("properties", .object(properties)))
        members.append(("additionalProperties", .bool(false)))
        add(name: name, schema: .object(members))
        return Self.reference(name)
    }

    /// The schema of a field's JSON value (an array for a repeated field, an object for a map), with the
    /// field's comment as its description.
    mutating func field(
        _ field: FieldLayout, of message: MessageLayout, in table: SchemaTable, style: Style,
        comments: DescriptorComments
    ) -> JSONValue {
        var schema: JSONValue
        if field.isMap {
            let entry = table.messages[field.typeIndex]
            let key = entry.fields.first { $0.number == 1 }
            let value = entry.fields.first { $0.number == 2 }
            var members: [(key: String, value: JSONValue)] = [("type", .string("object"))]
            if let key, let names = Self.mapKeyNames(key.kind) { members.append(("propertyNames", names)) }
            if let value {
                members.append(("additionalProperties", singular(value, in: table, style: style, comments: comments)))
            }
            schema = .object(members)
        } else if field.isRepeated {
            schema = .object([
                ("type", .string("array")), ("items", singular(field, in: table, style: style, comments: comments)),
            ])
        } else {
            schema = singular(field, in: table, style: style, comments: comments)
            // Unset messages print as null when unpopulated fields are printed (oneof members stay absent);
            // wrappers and Value may be null anyway.
            let wellKnown = field.kind == .message ? table.messages[field.typeIndex].wellKnown : nil
            let isNullable: Bool
            if case .wrapper = wellKnown { isNullable = true } else { isNullable = wellKnown == .value }
            if style.emitUnpopulated && field.kind == .message && field.oneofIndex < 0 && !isNullable {
                schema = Self.nullable(schema)
            }
        }
        if let comment = comments.comment(for: message.fullName + "." + field.protoName) {
            schema = Self.adding("description", .string(comment), to: schema)
        }
        return schema
    }

    /// The schema of one value of a field (an element of a repeated field).
    mutating func singular(_ field: FieldLayout, in table: SchemaTable, style: Style, comments: DescriptorComments)
        -> JSONValue
    {
        switch field.kind {
        case .message, .group: message(field.typeIndex, in: table, style: style, comments: comments)
        case .enumeration: enumeration(field.typeIndex, in: table, style: style, comments: comments)
        default: Self.scalar(field.kind, style: style)
        }
    }

    /// A reference to an enum's named schema: its value names (or numbers with `enumsAsInts`).
    mutating func enumeration(_ index: Int, in table: SchemaTable, style: Style, comments: DescriptorComments)
        -> JSONValue
    {
        let layout = table.enums[index]
        if layout.isNullValue { return .object([("type", .string("null"))]) }
        let key = TypeKey(fullName: layout.fullName, isEnum: true, style: style)
        if let name = namesByType[key] { return Self.reference(name) }
        let name = reserveName(for: key)
        var members: [(key: String, value: JSONValue)] = []
        if style.enumsAsInts {
            let numbers = Set(layout.quotedNames.keys).sorted()
            members = [("type", .string("integer")), ("enum", .array(numbers.map { .integer($0) }))]
        } else {
            members = [("type", .string("string")), ("enum", .array(Self.valueNames(of: layout).map { .string($0) }))]
        }
        if let comment = comments.comment(for: layout.fullName) { members.append(("description", .string(comment))) }
        add(name: name, schema: .object(members))
        return Self.reference(name)
    }

    /// An enum's value names in number order (each number's first name, as Portico prints it).
    static func valueNames(of layout: EnumLayout) -> [String] {
        layout.quotedNames.sorted { $0.key < $1.key }.map {
            String(decoding: $0.value.dropFirst().dropLast(), as: UTF8.self)
        }
    }

    /// The schema of a scalar in a JSON body: 64-bit integers as decimal strings unless `int64AsNumbers`,
    /// floating point as numbers or the strings `NaN`, `Infinity`, `-Infinity`, bytes as base64.
    static func scalar(_ kind: FieldKind, style: Style) -> JSONValue {
        if kind.is64Bit && !style.int64AsNumbers {
            let signed = kind != .uint64 && kind != .fixed64
            return .object([
                ("type", .string("string")), ("format", .string(signed ? "int64" : "uint64")),
                ("pattern", .string(signed ? "^-?[0-9]+$" : "^[0-9]+$")),
            ])
        }
        switch kind {
        case .double, .float:
            return .object([
                (
                    "anyOf",
                    .array([
                        .object([("type", .string("number")), ("format", .string(kind == .float ? "float" : "double"))]
                        ),
                        .object([
                            ("type", .string("string")),
                            ("enum", .array(["NaN", "Infinity", "-Infinity"].map { .string($0) })),
                        ]),
                    ])
                )
            ])
        case .bool:
            return .object([("type", .string("boolean"))])
        case .string:
            return .object([("type", .string("string"))])
        case .bytes:
            return .object([
                ("type", .string("string")), ("format", .string("byte")), ("contentEncoding", .string("base64")),
            ])
        default:
            return integer(kind)
        }
    }

    /// An integer schema with the kind's bounds.
    static func integer(_ kind: FieldKind) -> JSONValue {
        let bounds: (format: String?, minimum: String, maximum: String) =
            switch kind {
            case .int64, .sint64, .sfixed64: ("int64", String(Int64.min), String(Int64.max))
            case .uint64, .fixed64: (nil, "0", String(UInt64.max))
            case .uint32, .fixed32: (nil, "0", String(UInt32.max))
            default: ("int32", String(Int32.min), String(Int32.max))
            }
        var members: [(key: String, value: JSONValue)] = [("type", .string("integer"))]
        if let format = bounds.format { members.append(("format", .string(format))) }
        members.append(("minimum", .number(bounds.minimum)))
        members.append(("maximum", .number(bounds.maximum)))
        return .object(members)
    }

    /// The JSON forms of the well-known types.
    static func wellKnownSchema(_ type: WellKnownType, style: Style) -> JSONValue {
        switch type {
        case .timestamp:
            return .object([
                ("type", .string("string")), ("format", .string("date-time")),
                ("description", .string("An RFC 3339 time in UTC, such as 2024-01-02T03:04:05.678Z.")),
            ])
        case .duration:
            return .object([
                ("type", .string("string")), ("pattern", .string("^-?[0-9]+(\\.[0-9]{1,9})?s$")),
                ("description", .string("Seconds with up to 9 fractional digits and the suffix s, such as 1.5s.")),
            ])
        case .fieldMask:
            return .object([
                ("type", .string("string")),
                ("pattern", .string("^([A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*(,|$))*$")),
                (
                    "description",
                    .string("Field paths in lowerCamelCase, separated by commas, such as title,publisher.name.")
                ),
            ])
        case .structValue:
            return .object([("type", .string("object"))])
        case .value:
            return .object([])
        case .listValue:
            return .object([("type", .string("array"))])
        case .any:
            return anySchema
        case .wrapper(let kind):
            return nullable(scalar(kind, style: style))
        }
    }

    /// `google.protobuf.Any`: the type URL in `@type`, then the message's fields (or `value` for a well-known
    /// type).
    static let anySchema = JSONValue.object([
        ("type", .string("object")),
        ("properties", .object([("@type", .object([("type", .string("string"))]))])),
        ("required", .array([.string("@type")])),
    ])

    /// The JSON error body Portico writes for every failed call (`GatewayError.jsonBody`).
    static let errorSchema = JSONValue.object([
        ("type", .string("object")),
        (
            "description",
            .string(
                "A failed call: its gRPC status. The HTTP status follows from the gRPC code (grpc-gateway's mapping).")
        ),
        (
            "properties",
            .object([
                (
                    "code",
                    .object([
                        ("type", .string("integer")), ("format", .string("int32")),
                        ("description", .string("The gRPC status code, such as 5 for NOT_FOUND.")),
                    ])
                ),
                ("message", .object([("type", .string("string")), ("description", .string("What went wrong."))])),
                (
                    "details",
                    .object([
                        ("type", .string("array")), ("items", anySchema),
                        ("description", .string("The backend's google.rpc.Status details, each with its @type.")),
                    ])
                ),
            ])
        ),
        ("required", .array([.string("code"), .string("message"), .string("details")])),
        ("additionalProperties", .bool(false)),
    ])

    /// `schema`, or JSON `null`.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        .object([("anyOf", .array([schema, .object([("type", .string("null"))])]))])
    }

    /// `schema` with one more member (an object schema gains it; a `$ref` keeps it as a sibling, which
    /// OpenAPI 3.1 allows).
    static func adding(_ key: String, _ value: JSONValue, to schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        members.removeAll { $0.key == key }
        members.append((key, value))
        return .object(members)
    }

    /// What map keys of a non-string kind look like in JSON.
    private static func mapKeyNames(_ kind: FieldKind) -> JSONValue? {
        switch kind {
        case .string: nil
        case .bool: .object([("enum", .array([.string("true"), .string("false")]))])
        case .uint32, .uint64, .fixed32, .fixed64: .object([("pattern", .string("^[0-9]+$"))])
        default: .object([("pattern", .string("^-?[0-9]+$"))])
        }
    }

    private mutating func reserveName(for key: TypeKey) -> String {
        var name = key.fullName
        if componentNames[name] != nil { name += key.style.suffix }
        while componentNames[name] != nil { name += "-" + String(components.count) }
        namesByType[key] = name
        componentNames[name] = components.count
        components.append((name, .object([])))
        return name
    }

    private mutating func add(name: String, schema: JSONValue) {
        if let index = componentNames[name] {
            components[index].schema = schema
        } else {
            componentNames[name] = components.count
            components.append((name, schema))
        }
    }
}
