/// Reads JSON with a `JSONReader` and appends the protobuf wire encoding of the message it describes,
/// driven by the compiled layouts: no intermediate message objects, nested lengths patched in place.
struct JSONToWireEncoder {
    let table: SchemaTable
    let maxDepth: Int
    /// Skip object keys that name no field instead of failing with `unknownField`.
    let discardUnknownFields: Bool
    var reader: JSONReader

    /// What to encode at the end of a field path.
    enum Leaf {
        /// The JSON value at the reader, `depth` levels deep.
        case json(depth: Int)
        /// A path variable or query parameter value.
        case text(UnsafeRawBufferPointer)
        /// One entry of a map field, from a `map[key]=value` query parameter.
        case mapEntry(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    }

    init(table: SchemaTable, maxDepth: Int, discardUnknownFields: Bool, json: UnsafeRawBufferPointer) {
        self.table = table
        self.maxDepth = maxDepth
        self.discardUnknownFields = discardUnknownFields
        self.reader = JSONReader(bytes: json)
    }

    /// Frees the reader's scratch memory; call once when done.
    func deallocate() { reader.deallocate() }

    /// Adds the reader's offset to an error that has none.
    func located(_ error: TranscodingError) -> TranscodingError {
        guard error.offset == nil else { return error }
        var copy = error
        copy.offset = reader.position
        return copy
    }

    /// Encodes the JSON value at the reader as the content of message `messageIndex`.
    ///
    /// - Parameter typeKeyAllowed: The object is a `google.protobuf.Any`'s: its `@type` key is not a field.
    mutating func encodeMessage(
        _ messageIndex: Int, depth: Int, typeKeyAllowed: Bool = false, into output: inout [UInt8]
    ) throws(TranscodingError) {
        let layout = table.messages[messageIndex]
        if let wellKnown = layout.wellKnown {
            try encodeWellKnown(wellKnown, layout: layout, depth: depth, into: &output)
            return
        }
        try beginContainer(UInt8(ascii: "{"), depth: depth, expected: "an object for \(layout.fullName)")
        if try reader.consumeIf(UInt8(ascii: "}")) { return }
        var oneofs: UInt64 = 0
        repeat {
            guard try reader.peek() == UInt8(ascii: "\"") else { throw reader.error("expected a field name") }
            let name = try reader.readString()
            try reader.consume(UInt8(ascii: ":"))
            guard let slot = layout.fieldsByName.lookup(name) else {
                guard discardUnknownFields || (typeKeyAllowed && name.elementsEqual("@type".utf8)) else {
                    throw TranscodingError(
                        code: .unknownField, fieldPath: String(decoding: name, as: UTF8.self),
                        message: "\(layout.fullName) has no such field", offset: reader.position)
                }
                try reader.skipValue(depth: depth + 1, maxDepth: maxDepth)
                continue
            }
            let field = layout.fields[Int(slot)]
            // Oneofs past the 64th of one message are not checked (a bit mask keeps this allocation-free).
            if field.oneofIndex >= 0, field.oneofIndex < 64, try reader.peek() != UInt8(ascii: "n") || isValue(field) {
                let bit: UInt64 = 1 << UInt64(field.oneofIndex)
                if oneofs & bit != 0 {
                    throw TranscodingError(
                        code: .duplicateOneof,
                        fieldPath: field.jsonName,
                        message: "another member of oneof \(layout.oneofNames[field.oneofIndex]) is already set",
                        offset: reader.position
                    )
                }
                oneofs |= bit
            }
            do throws(TranscodingError) {
                try encodeField(field, depth: depth + 1, into: &output)
            } catch {
                throw located(error).within(field: field.jsonName)
            }
        } while try reader.consumeIf(UInt8(ascii: ","))
        try reader.consume(UInt8(ascii: "}"))
    }

    /// Consumes `{` or `[` after checking the nesting depth.
    mutating func beginContainer(_ open: UInt8, depth: Int, expected: String) throws(TranscodingError) {
        guard try reader.peek() == open else { throw reader.error("expected \(expected)", code: .wrongType) }
        guard depth < maxDepth else { throw reader.error("nesting deeper than \(maxDepth)", code: .tooDeep) }
        try reader.consume(open)
    }

    /// Whether `field` is a singular `google.protobuf.Value`, for which JSON `null` is a value.
    func isValue(_ field: FieldLayout) -> Bool {
        field.kind == .message && table.messages[field.typeIndex].wellKnown == .value
    }

    /// Appends a `google.protobuf.Value` holding `null_value` as field `number`.
    static func appendNullValue(number: UInt32, into output: inout [UInt8]) {
        output.appendVarint(UInt64(number) << 3 | 2)
        output.append(contentsOf: [2, 0x08, 0])
    }

    /// Encodes the JSON value at the reader as field `field` (tags included).
    mutating func encodeField(_ field: FieldLayout, depth: Int, into output: inout [UInt8]) throws(TranscodingError) {
        if try reader.peek() == UInt8(ascii: "n") {
            try reader.readLiteral("null")
            if !field.isRepeated, isValue(field) { Self.appendNullValue(number: field.number, into: &output) }
            return
        }
        if field.isMap {
            try encodeMap(field, depth: depth, into: &output)
        } else if field.isRepeated {
            try encodeRepeated(field, depth: depth, into: &output)
        } else {
            try encodeSingular(field, depth: depth, alwaysWrite: field.hasPresence, into: &output)
        }
    }

    private mutating func encodeSingular(
        _ field: FieldLayout, depth: Int, alwaysWrite: Bool, into output: inout [UInt8]
    )
        throws(TranscodingError)
    {
        switch field.kind {
        case .message:
            output.appendVarint(field.lengthDelimitedTag)
            let start = output.beginLengthDelimited()
            try encodeMessage(field.typeIndex, depth: depth, into: &output)
            output.endLengthDelimited(at: start)
        case .group:
            throw TranscodingError(code: .unsupported, message: "proto2 groups are not supported")
        default:
            try writeScalar(
                try reader.readScalar(),
                kind: field.kind,
                number: field.number,
                enumLayout: enumLayout(of: field),
                alwaysWrite: alwaysWrite,
                into: &output
            )
        }
    }

    func enumLayout(of field: FieldLayout) -> EnumLayout? {
        field.kind == .enumeration ? table.enums[field.typeIndex] : nil
    }

    private mutating func encodeRepeated(_ field: FieldLayout, depth: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        try beginContainer(UInt8(ascii: "["), depth: depth, expected: "an array")
        if try reader.consumeIf(UInt8(ascii: "]")) { return }
        var index = 0
        if field.isPacked {
            let enumLayout = enumLayout(of: field)
            output.appendVarint(field.lengthDelimitedTag)
            let start = output.beginLengthDelimited()
            repeat {
                do throws(TranscodingError) {
                    if try reader.peek() == UInt8(ascii: "n") {
                        throw reader.error("null is not allowed in an array", code: .wrongType)
                    }
                    let bits = try ScalarConversion.bits(
                        try reader.readScalar(), kind: field.kind, enumLayout: enumLayout)
                    Self.appendBits(bits, kind: field.kind, into: &output)
                } catch {
                    throw located(error).within(index: index)
                }
                index += 1
            } while try reader.consumeIf(UInt8(ascii: ","))
            output.endLengthDelimited(at: start)
        } else {
            repeat {
                do throws(TranscodingError) {
                    if try reader.peek() == UInt8(ascii: "n") {
                        guard isValue(field) else {
                            throw reader.error("null is not allowed in an array", code: .wrongType)
                        }
                        try reader.readLiteral("null")
                        Self.appendNullValue(number: field.number, into: &output)
                    } else {
                        try encodeSingular(field, depth: depth + 1, alwaysWrite: true, into: &output)
                    }
                } catch {
                    throw located(error).within(index: index)
                }
                index += 1
            } while try reader.consumeIf(UInt8(ascii: ","))
        }
        try reader.consume(UInt8(ascii: "]"))
    }

    private mutating func encodeMap(_ field: FieldLayout, depth: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        try beginContainer(UInt8(ascii: "{"), depth: depth, expected: "an object")
        if try reader.consumeIf(UInt8(ascii: "}")) { return }
        let entry = table.messages[field.typeIndex]
        let keyField = entry.fields[0]
        let valueField = entry.fields[1]
        repeat {
            guard try reader.peek() == UInt8(ascii: "\"") else { throw reader.error("expected a map key") }
            let key = try reader.readString()
            let keyIsStable =
                key.baseAddress.map { address in
                    reader.bytes.baseAddress! <= address && address < reader.bytes.baseAddress! + reader.bytes.count
                } ?? true
            try reader.consume(UInt8(ascii: ":"))
            output.appendVarint(field.lengthDelimitedTag)
            let start = output.beginLengthDelimited()
            do throws(TranscodingError) {
                try writeScalar(
                    try Self.mapKey(key, kind: keyField.kind),
                    kind: keyField.kind,
                    number: 1,
                    enumLayout: nil,
                    alwaysWrite: true,
                    into: &output
                )
                if try reader.peek() == UInt8(ascii: "n") {
                    guard isValue(valueField) else {
                        throw reader.error("map values cannot be null", code: .wrongType)
                    }
                    try reader.readLiteral("null")
                    Self.appendNullValue(number: 2, into: &output)
                } else {
                    try encodeSingular(valueField, depth: depth + 1, alwaysWrite: true, into: &output)
                }
            } catch {
                throw located(error).within(key: keyIsStable ? String(decoding: key, as: UTF8.self) : "…")
            }
            output.endLengthDelimited(at: start)
        } while try reader.consumeIf(UInt8(ascii: ","))
        try reader.consume(UInt8(ascii: "}"))
    }

    /// A JSON object key as input for a map key of `kind`.
    private static func mapKey(_ key: UnsafeRawBufferPointer, kind: FieldKind) throws(TranscodingError) -> ScalarInput {
        switch kind {
        case .string: return .string(key)
        case .bool:
            switch String(decoding: key, as: UTF8.self) {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw TranscodingError(code: .wrongType, message: "map key must be \"true\" or \"false\"")
            }
        default: return .string(key)
        }
    }

    /// Appends field `number` of `kind` converted from `input`, skipping a default value unless
    /// `alwaysWrite` (fields with presence, elements, map entries, path and query bindings).
    func writeScalar(
        _ input: ScalarInput,
        kind: FieldKind,
        number: UInt32,
        enumLayout: EnumLayout?,
        alwaysWrite: Bool,
        into output: inout [UInt8]
    ) throws(TranscodingError) {
        switch kind {
        case .string:
            let bytes: UnsafeRawBufferPointer
            switch input {
            case .string(let text): bytes = text
            case .text(let text):
                try ScalarConversion.checkUTF8(text)
                bytes = text
            default: throw TranscodingError(code: .wrongType, message: "expected a string")
            }
            if !alwaysWrite, bytes.isEmpty { return }
            output.appendVarint(UInt64(number) << 3 | 2)
            output.appendVarint(UInt64(bytes.count))
            output.append(contentsOf: bytes)
        case .bytes:
            let text: UnsafeRawBufferPointer
            switch input {
            case .string(let value), .text(let value): text = value
            default: throw TranscodingError(code: .wrongType, message: "expected a base64 string")
            }
            let length = try Base64.decodedLength(text)
            if !alwaysWrite, length == 0 { return }
            output.appendVarint(UInt64(number) << 3 | 2)
            output.appendVarint(UInt64(length))
            try Base64.decode(text, into: &output)
        case .message, .group:
            throw TranscodingError(code: .wrongType, message: "expected an object")
        default:
            let bits = try ScalarConversion.bits(input, kind: kind, enumLayout: enumLayout)
            if !alwaysWrite, bits == 0 { return }
            output.appendVarint(UInt64(number) << 3 | UInt64(kind.wireType.rawValue))
            Self.appendBits(bits, kind: kind, into: &output)
        }
    }

    static func appendBits(_ bits: UInt64, kind: FieldKind, into output: inout [UInt8]) {
        switch kind.wireType {
        case .fixed32: output.appendFixed32(UInt32(truncatingIfNeeded: bits))
        case .fixed64: output.appendFixed64(bits)
        default: output.appendVarint(bits)
        }
    }

    /// Encodes `leaf` as the field at the end of `slots` (a resolved field path from `messageIndex`), each
    /// step a nested message; protobuf's merge rule combines it with what was encoded before.
    mutating func encode(_ leaf: Leaf, along slots: ArraySlice<Int>, in messageIndex: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        let field = table.messages[messageIndex].fields[slots.first!]
        do throws(TranscodingError) {
            if slots.count == 1 {
                switch leaf {
                case .json(let depth): try encodeField(field, depth: depth, into: &output)
                case .text(let text): try encodeText(text, field: field, into: &output)
                case .mapEntry(let key, let value):
                    try encodeMapEntry(key: key, value: value, field: field, into: &output)
                }
            } else {
                output.appendVarint(field.lengthDelimitedTag)
                let start = output.beginLengthDelimited()
                try encode(leaf, along: slots.dropFirst(), in: field.typeIndex, into: &output)
                output.endLengthDelimited(at: start)
            }
        } catch {
            throw error.within(field: field.jsonName)
        }
    }

    /// Encodes one entry of map `field` from text: its key as JSON map keys are read, its value as a query
    /// parameter value.
    private mutating func encodeMapEntry(
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, field: FieldLayout, into output: inout [UInt8]
    ) throws(TranscodingError) {
        let entry = table.messages[field.typeIndex]
        let keyField = entry.fields[0]
        output.appendVarint(field.lengthDelimitedTag)
        let start = output.beginLengthDelimited()
        try writeScalar(
            try Self.mapKey(key, kind: keyField.kind), kind: keyField.kind, number: 1, enumLayout: nil,
            alwaysWrite: true, into: &output)
        try encodeText(value, field: entry.fields[1], into: &output)
        output.endLengthDelimited(at: start)
    }

    /// Encodes a path variable or query parameter value as `field`.
    private mutating func encodeText(_ text: UnsafeRawBufferPointer, field: FieldLayout, into output: inout [UInt8])
        throws(TranscodingError)
    {
        if field.isMap { throw TranscodingError(code: .wrongType, message: "a map cannot be set from text") }
        guard field.kind == .message else {
            try writeScalar(
                .text(text),
                kind: field.kind,
                number: field.number,
                enumLayout: enumLayout(of: field),
                alwaysWrite: true,
                into: &output
            )
            return
        }
        let layout = table.messages[field.typeIndex]
        guard let wellKnown = layout.wellKnown else {
            throw TranscodingError(code: .wrongType, message: "\(layout.fullName) cannot be set from text")
        }
        output.appendVarint(field.lengthDelimitedTag)
        let start = output.beginLengthDelimited()
        try encodeWellKnownText(wellKnown, layout: layout, messageIndex: field.typeIndex, text: text, into: &output)
        output.endLengthDelimited(at: start)
    }
}
