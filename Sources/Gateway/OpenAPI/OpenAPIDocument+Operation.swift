extension OpenAPIDocument.Builder {
    /// The operation object of a route: parameters, request body, the reply and the error reply.
    mutating func operation(for route: Route, path: OpenAPIPath, service: String) -> JSONValue {
        let method = route.method
        let input = method.input
        let inputLayout = input.table.messages[input.index]
        var members: [(key: String, value: JSONValue)] = [
            ("operationId", .string(operationID(for: route, service: service))),
            ("tags", .array([.string(service)])),
        ]
        if let comment = method.comments.comment(for: method.fullName) {
            members.append(("description", .string(comment)))
        }
        members.append(("summary", .string(method.fullName)))

        // Where the request message's fields come from: the path, the body, then the query for the rest.
        var boundPaths: [[Int]] = []
        var parameters: [JSONValue] = []
        for parameter in path.parameters {
            let slots = parameter.fieldPath.flatMap { FieldPath.resolve($0, in: inputLayout, table: input.table) }
            if let slots { boundPaths.append(slots) }
            parameters.append(
                pathParameter(parameter, composition: path.composition(of: parameter), slots: slots, route: route))
        }
        let body = route.binding?.body ?? .wholeMessage
        switch body {
        case .none:
            break
        case .wholeMessage:
            members.append(("requestBody", requestBody(slots: [], route: route)))
        case .field(let fieldPath):
            if let slots = FieldPath.resolve(fieldPath, in: inputLayout, table: input.table) {
                boundPaths.append(slots)
                members.append(("requestBody", requestBody(slots: slots, route: route)))
            }
        }
        if body != .wholeMessage {
            parameters += queryParameters(route: route, boundPaths: boundPaths)
        }
        if !parameters.isEmpty { members.append(("parameters", .array(parameters))) }
        members.append(
            (
                "responses",
                .object([
                    ("200", reply(route: route)),
                    (
                        "default",
                        .object([
                            ("description", .string("The call failed: its gRPC status as JSON.")),
                            (
                                "content",
                                .object([
                                    (
                                        "application/json",
                                        .object([("schema", SchemaCatalog.reference(SchemaCatalog.errorSchemaName))])
                                    )
                                ])
                            ),
                        ])
                    ),
                ])
            ))
        members.append(("x-grpc-method", .string(method.fullName)))
        members.append(("x-portico-backend", .string(route.backend)))
        if method.isServerStreaming { members.append(("x-portico-server-streaming", .bool(true))) }
        return .object(members)
    }

    /// The request body: the JSON of the request message or of the body field, or raw bytes for a
    /// `google.api.HttpBody`.
    private mutating func requestBody(slots: [Int], route: Route) -> JSONValue {
        let input = route.method.input
        let (field, message) = Self.walk(slots, from: input.index, in: input.table)
        let content: JSONValue
        if let field, field.isRepeated {
            let owner = input.table.messages[message]
            content = .object([
                (
                    "application/json",
                    .object([
                        (
                            "schema",
                            schemas.field(
                                field, of: owner, in: input.table, style: route.style, comments: route.method.comments)
                        )
                    ])
                )
            ])
        } else if let field, field.kind != .message {
            content = .object([
                (
                    "application/json",
                    .object([
                        (
                            "schema",
                            schemas.singular(
                                field, in: input.table, style: route.style, comments: route.method.comments)
                        )
                    ])
                )
            ])
        } else {
            let target = field?.typeIndex ?? input.index
            if input.table.messages[target].fullName == HTTPBodyMessage.fullName {
                content = Self.rawContent
            } else {
                let schema = schemas.message(
                    target, in: input.table, style: route.style, comments: route.method.comments)
                content = .object([("application/json", .object([("schema", schema)]))])
            }
        }
        return .object([("required", .bool(false)), ("content", content)])
    }

    /// The successful reply: the JSON of the response message or its `response_body` field, one
    /// `{"result": …}` line per message for a server-streaming method, or raw bytes for a `google.api.HttpBody`.
    private mutating func reply(route: Route) -> JSONValue {
        let method = route.method
        let output = method.output
        let slots = route.binding?.responseBody.flatMap {
            FieldPath.resolve($0, in: output.table.messages[output.index], table: output.table)
        }
        let (field, message) = Self.walk(slots ?? [], from: output.index, in: output.table)
        let schema: JSONValue
        if let field {
            let owner = output.table.messages[message]
            if !field.isRepeated && field.kind == .message
                && output.table.messages[field.typeIndex].fullName == HTTPBodyMessage.fullName
            {
                return Self.rawReply(streaming: method.isServerStreaming)
            }
            schema = schemas.field(field, of: owner, in: output.table, style: route.style, comments: method.comments)
        } else {
            if output.table.messages[output.index].fullName == HTTPBodyMessage.fullName {
                return Self.rawReply(streaming: method.isServerStreaming)
            }
            schema = schemas.message(output.index, in: output.table, style: route.style, comments: method.comments)
        }
        guard method.isServerStreaming else {
            return .object([
                ("description", .string("The reply.")),
                ("content", .object([("application/json", .object([("schema", schema)]))])),
            ])
        }
        let line = JSONValue.object([
            (
                "oneOf",
                .array([
                    Self.streamLine("result", schema),
                    Self.streamLine("error", SchemaCatalog.reference(SchemaCatalog.errorSchemaName)),
                ])
            ),
            (
                "description",
                .string(
                    "One line of the reply: the body is newline-delimited JSON (sent as application/json), a "
                        + "{\"result\": …} object per reply message and, if the call fails after the first one, a last "
                        + "{\"error\": …} object.")
            ),
        ])
        return .object([
            ("description", .string("A stream of replies, one JSON object per line.")),
            ("content", .object([("application/json", .object([("schema", line)]))])),
        ])
    }

    private static func streamLine(_ key: String, _ schema: JSONValue) -> JSONValue {
        .object([
            ("type", .string("object")), ("properties", .object([(key, schema)])), ("required", .array([.string(key)])),
            ("additionalProperties", .bool(false)),
        ])
    }

    /// Any bytes with any content type: a `google.api.HttpBody`'s `data` and `content_type`.
    private static let rawContent = JSONValue.object([("*/*", .object([("schema", .object([]))]))])

    private static func rawReply(streaming: Bool) -> JSONValue {
        .object([
            (
                "description",
                .string(
                    streaming
                        ? "The bytes of each reply's google.api.HttpBody, one after another, with the first one's content type."
                        : "The bytes of the reply's google.api.HttpBody, with its content type.")
            ),
            ("content", rawContent),
        ])
    }

    /// The field at the end of `slots` (nil when there are none) and the message that declares it.
    static func walk(_ slots: [Int], from index: Int, in table: SchemaTable) -> (field: FieldLayout?, message: Int) {
        var message = index
        var field: FieldLayout?
        for (position, slot) in slots.enumerated() {
            field = table.messages[message].fields[slot]
            if position < slots.count - 1, let step = field { message = step.typeIndex }
        }
        return (field, message)
    }
}
