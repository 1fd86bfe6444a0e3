/// The field mask a PATCH request implies when the client sends none, as grpc-gateway fills it: the paths of
/// the fields present in the JSON body, by proto name (`sequel.page_count`). Objects of message fields are
/// descended into; lists, maps, well-known types and empty objects are one path each.
struct ImpliedFieldMask {
    /// The slot of the request message's FieldMask field, which gets the paths.
    let maskSlot: Int
    /// The message type of the body field, against which the body's keys are resolved.
    let bodyMessage: Int

    /// The request messages whose PATCH binding implies a mask: the body is one message field (not `*`) and
    /// the request has exactly one `google.protobuf.FieldMask` field (grpc-gateway's rule).
    init?(binding: HTTPBinding?, bodySlots: [Int], request: Int, table: SchemaTable) {
        guard binding?.httpMethod == "PATCH", bodySlots.count == 1 else { return nil }
        let fields = table.messages[request].fields
        let body = fields[bodySlots[0]]
        guard body.kind == .message, !body.isRepeated, table.messages[body.typeIndex].wellKnown == nil else {
            return nil
        }
        let masks = fields.indices.filter { slot in
            fields[slot].kind == .message && !fields[slot].isRepeated
                && table.messages[fields[slot].typeIndex].wellKnown == .fieldMask
        }
        guard masks.count == 1 else { return nil }
        self.maskSlot = masks[0]
        self.bodyMessage = body.typeIndex
    }

    /// Appends the FieldMask field, with the paths of the fields in `json`, to the request's encoding. A body
    /// that is not an object, or an empty one, implies no mask.
    func encode(
        body json: UnsafeRawBufferPointer, request: Int, table: SchemaTable, maxDepth: Int, into output: inout [UInt8]
    ) throws(TranscodingError) {
        var reader = JSONReader(bytes: json)
        defer { reader.deallocate() }
        guard !reader.isAtEnd(), try reader.peek() == UInt8(ascii: "{") else { return }
        var paths: [[UInt8]] = []
        try collectPaths(
            &reader, message: bodyMessage, prefix: [], depth: 1, maxDepth: maxDepth, table: table, into: &paths)
        guard !paths.isEmpty else { return }
        var mask: [UInt8] = []
        for path in paths {
            mask.appendVarint(UInt64(1 << 3 | WireType.lengthDelimited.rawValue))
            mask.appendVarint(UInt64(path.count))
            mask.append(contentsOf: path)
        }
        output.appendVarint(table.messages[request].fields[maskSlot].lengthDelimitedTag)
        output.appendVarint(UInt64(mask.count))
        output.append(contentsOf: mask)
    }

    private func collectPaths(
        _ reader: inout JSONReader, message: Int, prefix: [UInt8], depth: Int, maxDepth: Int, table: SchemaTable,
        into paths: inout [[UInt8]]
    ) throws(TranscodingError) {
        let layout = table.messages[message]
        try reader.consume(UInt8(ascii: "{"))
        if try reader.consumeIf(UInt8(ascii: "}")) { return }
        repeat {
            let slot = layout.fieldsByName.lookup(try reader.readString())
            try reader.consume(UInt8(ascii: ":"))
            // The request encoder has refused unknown keys already, or was told to drop them.
            guard let slot else {
                try reader.skipValue(depth: depth, maxDepth: maxDepth)
                continue
            }
            let field = layout.fields[Int(slot)]
            let path = prefix + Array(field.protoName.utf8)
            let descends =
                field.kind == .message && !field.isRepeated && table.messages[field.typeIndex].wellKnown == nil
                && depth < maxDepth && isNonEmptyObject(&reader)
            if descends {
                try collectPaths(
                    &reader, message: field.typeIndex, prefix: path + [UInt8(ascii: ".")], depth: depth + 1,
                    maxDepth: maxDepth, table: table, into: &paths)
            } else {
                paths.append(path)
                try reader.skipValue(depth: depth, maxDepth: maxDepth)
            }
        } while try reader.consumeIf(UInt8(ascii: ","))
        try reader.consume(UInt8(ascii: "}"))
    }

    /// Whether the next value is an object with at least one member; the reader does not move.
    private func isNonEmptyObject(_ reader: inout JSONReader) -> Bool {
        let start = reader.position
        defer { reader.rewind(to: start) }
        guard (try? reader.consume(UInt8(ascii: "{"))) != nil else { return false }
        return (try? reader.consumeIf(UInt8(ascii: "}"))) == false
    }
}
