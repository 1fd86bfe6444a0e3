extension OpenAPIDocument.Builder {
    /// The deepest nesting of message fields whose fields are offered as query parameters (`a.b.c`).
    private static let maxQueryDepth = 4

    /// A path parameter: the field's own type when it is the variable's whole value, else a string segment.
    func pathParameter(_ parameter: OpenAPIPath.Parameter, composition: String, slots: [Int]?, route: Route)
        -> JSONValue
    {
        let input = route.method.input
        var schema = JSONValue.object([("type", .string("string")), ("pattern", .string("^[^/]+$"))])
        var description: String
        if let fieldPath = parameter.fieldPath {
            let field = fieldPath.joined(separator: ".")
            description =
                parameter.isWholeValue ? "Sets `\(field)`." : "Sets `\(field)` to `\(composition)`."
            if parameter.isMultiSegment {
                description += " Stands for `**`: the gateway also accepts several segments here."
            }
            if let slots, let leaf = Self.walk(slots, from: input.index, in: input.table).field {
                let owner = Self.walk(slots, from: input.index, in: input.table).message
                if parameter.isWholeValue && !leaf.isRepeated {
                    schema = queryValueSchema(leaf, in: input.table) ?? schema
                }
                let ownerName = input.table.messages[owner].fullName
                if let comment = route.method.comments.comment(for: ownerName + "." + leaf.protoName) {
                    description += "\n\n" + comment
                }
            }
        } else {
            description = "Any one path segment; it sets no field."
        }
        return .object([
            ("name", .string(parameter.name)), ("in", .string("path")), ("required", .bool(true)),
            ("description", .string(description)), ("schema", schema),
        ])
    }

    /// The query parameters of the request fields that neither the path nor the body sets, as the
    /// `RequestTranscoder` reads them: scalars, enums, repeated scalars (`?a=1&a=2`), well-known types with a
    /// text form, fields of singular messages (`a.b=…`), and maps of scalars (`m[key]=…`).
    func queryParameters(route: Route, boundPaths: [[Int]]) -> [JSONValue] {
        let input = route.method.input
        var parameters: [JSONValue] = []
        collectQueryParameters(
            message: input.index, prefix: "", slots: [], visiting: [input.index], route: route, boundPaths: boundPaths,
            into: &parameters)
        return parameters
    }

    private func collectQueryParameters(
        message: Int, prefix: String, slots: [Int], visiting: Set<Int>, route: Route, boundPaths: [[Int]],
        into parameters: inout [JSONValue]
    ) {
        let table = route.method.input.table
        let layout = table.messages[message]
        for (slot, field) in layout.fields.enumerated() {
            let path = slots + [slot]
            if boundPaths.contains(where: { path.starts(with: $0) }) { continue }
            let name = prefix + (route.style.useProtoNames ? field.protoName : field.jsonName)
            var description = route.method.comments.comment(for: layout.fullName + "." + field.protoName)
            var style: String?
            let schema: JSONValue
            if field.isMap {
                let entry = table.messages[field.typeIndex]
                guard let value = entry.fields.first(where: { $0.number == 2 }),
                    let valueSchema = queryValueSchema(value, in: table)
                else { continue }
                schema = .object([("type", .string("object")), ("additionalProperties", valueSchema)])
                style = "deepObject"
                description = [description, "One entry per parameter: `\(name)[KEY]=VALUE`."].compactMap { $0 }
                    .joined(separator: "\n\n")
            } else if let valueSchema = queryValueSchema(field, in: table) {
                schema = field.isRepeated ? .object([("type", .string("array")), ("items", valueSchema)]) : valueSchema
            } else {
                if field.kind == .message, !field.isRepeated, table.messages[field.typeIndex].wellKnown == nil,
                    !visiting.contains(field.typeIndex), visiting.count < Self.maxQueryDepth
                {
                    collectQueryParameters(
                        message: field.typeIndex, prefix: name + ".", slots: path,
                        visiting: visiting.union([field.typeIndex]), route: route, boundPaths: boundPaths,
                        into: &parameters)
                }
                continue
            }
            var members: [(key: String, value: JSONValue)] = [("name", .string(name)), ("in", .string("query"))]
            if let description { members.append(("description", .string(description))) }
            if let style {
                members.append(("style", .string(style)))
                members.append(("explode", .bool(true)))
            }
            members.append(("schema", schema))
            parameters.append(.object(members))
        }
    }

    /// The schema of one value of a field in a query string or path segment, where 64-bit integers are plain
    /// digits; nil for a message without a text form.
    private func queryValueSchema(_ field: FieldLayout, in table: SchemaTable) -> JSONValue? {
        switch field.kind {
        case .message, .group:
            let wellKnown = table.messages[field.typeIndex].wellKnown
            switch wellKnown {
            case .timestamp, .duration, .fieldMask:
                return wellKnown.map { SchemaCatalog.wellKnownSchema($0, style: SchemaCatalog.Style(.defaults)) }
            case .wrapper(let kind):
                return Self.queryScalar(kind)
            default:
                return nil
            }
        case .enumeration:
            let layout = table.enums[field.typeIndex]
            if layout.isNullValue { return nil }
            return .object([
                ("type", .string("string")), ("enum", .array(SchemaCatalog.valueNames(of: layout).map { .string($0) })),
            ])
        default:
            return Self.queryScalar(field.kind)
        }
    }

    private static func queryScalar(_ kind: FieldKind) -> JSONValue {
        switch kind {
        case .double, .float:
            .object([("type", .string("number")), ("format", .string(kind == .float ? "float" : "double"))])
        case .bool, .string, .bytes:
            SchemaCatalog.scalar(kind, style: SchemaCatalog.Style(.defaults))
        default:
            SchemaCatalog.integer(kind)
        }
    }
}
