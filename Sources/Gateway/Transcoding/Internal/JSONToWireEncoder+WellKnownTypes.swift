/// The special JSON forms of the google.protobuf well-known types, on input.
extension JSONToWireEncoder {
    /// Encodes the JSON value at the reader as the content of a well-known type.
    mutating func encodeWellKnown(
        _ wellKnown: WellKnownType, layout: MessageLayout, depth: Int, into output: inout [UInt8]
    )
        throws(TranscodingError)
    {
        switch wellKnown {
        case .timestamp, .duration, .fieldMask:
            guard try reader.peek() == UInt8(ascii: "\"") else {
                throw reader.error("expected a string for \(layout.fullName)", code: .wrongType)
            }
            try encodeWellKnownString(wellKnown, text: try reader.readString(), fromJSON: true, into: &output)
        case .wrapper(let kind):
            try writeScalar(
                try reader.readScalar(), kind: kind, number: 1, enumLayout: nil, alwaysWrite: false, into: &output)
        case .value:
            try encodeValue(layout: layout, depth: depth, into: &output)
        case .structValue:
            try beginContainer(UInt8(ascii: "{"), depth: depth, expected: "an object")
            if try reader.consumeIf(UInt8(ascii: "}")) { return }
            let valueIndex = table.messages[layout.fields[0].typeIndex].fields[1].typeIndex
            repeat {
                guard try reader.peek() == UInt8(ascii: "\"") else { throw reader.error("expected a key") }
                let key = try reader.readString()
                try reader.consume(UInt8(ascii: ":"))
                output.appendVarint(0x0A)
                let entry = output.beginLengthDelimited()
                output.appendVarint(0x0A)
                output.appendVarint(UInt64(key.count))
                output.append(contentsOf: key)
                output.appendVarint(0x12)
                let value = output.beginLengthDelimited()
                try encodeValue(layout: table.messages[valueIndex], depth: depth + 1, into: &output)
                output.endLengthDelimited(at: value)
                output.endLengthDelimited(at: entry)
            } while try reader.consumeIf(UInt8(ascii: ","))
            try reader.consume(UInt8(ascii: "}"))
        case .listValue:
            try beginContainer(UInt8(ascii: "["), depth: depth, expected: "an array")
            if try reader.consumeIf(UInt8(ascii: "]")) { return }
            let valueLayout = table.messages[layout.fields[0].typeIndex]
            var index = 0
            repeat {
                output.appendVarint(0x0A)
                let start = output.beginLengthDelimited()
                do throws(TranscodingError) {
                    try encodeValue(layout: valueLayout, depth: depth + 1, into: &output)
                } catch {
                    throw located(error).within(index: index)
                }
                output.endLengthDelimited(at: start)
                index += 1
            } while try reader.consumeIf(UInt8(ascii: ","))
            try reader.consume(UInt8(ascii: "]"))
        case .any:
            try encodeAny(depth: depth, into: &output)
        }
    }

    /// Encodes the JSON value at the reader as the content of a `google.protobuf.Value`.
    private mutating func encodeValue(layout: MessageLayout, depth: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        switch try reader.peek() {
        case UInt8(ascii: "n"):
            try reader.readLiteral("null")
            output.append(contentsOf: [0x08, 0])
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            guard case .bool(let value) = try reader.readScalar() else { return }
            output.append(contentsOf: [0x20, value ? 1 : 0])
        case UInt8(ascii: "\""):
            let text = try reader.readString()
            output.appendVarint(0x1A)
            output.appendVarint(UInt64(text.count))
            output.append(contentsOf: text)
        case UInt8(ascii: "{"):
            let structField = layout.fields[4]
            output.appendVarint(structField.lengthDelimitedTag)
            let start = output.beginLengthDelimited()
            try encodeMessage(structField.typeIndex, depth: depth, into: &output)
            output.endLengthDelimited(at: start)
        case UInt8(ascii: "["):
            let listField = layout.fields[5]
            output.appendVarint(listField.lengthDelimitedTag)
            let start = output.beginLengthDelimited()
            try encodeMessage(listField.typeIndex, depth: depth, into: &output)
            output.endLengthDelimited(at: start)
        default:
            let value = try ScalarConversion.double(.number(try reader.readNumber()))
            output.appendVarint(0x11)
            output.appendFixed64(value.bitPattern)
        }
    }

    /// Encodes the text form of a Timestamp, Duration or FieldMask. A FieldMask in JSON has lowerCamelCase
    /// paths (an underscore is refused, as protobuf's parsers refuse it); in a query parameter or path
    /// variable proto names are accepted too (`update_mask=page_count`, as grpc-gateway takes them).
    mutating func encodeWellKnownString(
        _ wellKnown: WellKnownType, text: UnsafeRawBufferPointer, fromJSON: Bool, into output: inout [UInt8]
    )
        throws(TranscodingError)
    {
        switch wellKnown {
        case .timestamp, .duration:
            let (seconds, nanos) =
                wellKnown == .timestamp ? try TimeText.parseTimestamp(text) : try TimeText.parseDuration(text)
            if seconds != 0 {
                output.append(0x08)
                output.appendVarint(UInt64(bitPattern: seconds))
            }
            if nanos != 0 {
                output.append(0x10)
                output.appendVarint(UInt64(bitPattern: Int64(nanos)))
            }
        default:
            try ScalarConversion.checkUTF8(text)
            var pathStart = 0
            while pathStart < text.count {
                var pathEnd = pathStart
                while pathEnd < text.count, text[pathEnd] != UInt8(ascii: ",") { pathEnd += 1 }
                output.append(0x0A)
                let start = output.beginLengthDelimited()
                for byte in text[pathStart..<pathEnd] {
                    if fromJSON, byte == UInt8(ascii: "_") {
                        throw reader.error(
                            "a google.protobuf.FieldMask path in JSON is lowerCamelCase; "
                                + "\(String(decoding: UnsafeRawBufferPointer(rebasing: text[pathStart..<pathEnd]), as: UTF8.self).debugDescription) has an underscore",
                            code: .wrongType)
                    }
                    if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") {
                        output.append(UInt8(ascii: "_"))
                        output.append(byte + 32)
                    } else {
                        output.append(byte)
                    }
                }
                output.endLengthDelimited(at: start)
                pathStart = pathEnd + 1
            }
        }
    }

    /// Encodes a path variable or query parameter as the content of a well-known type: the string forms
    /// of Timestamp, Duration and FieldMask, a wrapper's scalar, or JSON text for Struct, Value and ListValue.
    mutating func encodeWellKnownText(
        _ wellKnown: WellKnownType,
        layout: MessageLayout,
        messageIndex: Int,
        text: UnsafeRawBufferPointer,
        into output: inout [UInt8]
    ) throws(TranscodingError) {
        switch wellKnown {
        case .timestamp, .duration, .fieldMask:
            try encodeWellKnownString(wellKnown, text: text, fromJSON: false, into: &output)
        case .wrapper(let kind):
            try writeScalar(.text(text), kind: kind, number: 1, enumLayout: nil, alwaysWrite: false, into: &output)
        case .value, .structValue, .listValue, .any:
            var nested = JSONToWireEncoder(
                table: table, maxDepth: maxDepth, discardUnknownFields: discardUnknownFields, json: text)
            defer { nested.deallocate() }
            try nested.encodeMessage(messageIndex, depth: 0, into: &output)
            guard nested.reader.isAtEnd() else { throw nested.reader.error("unexpected data after the JSON value") }
        }
    }

    /// Encodes `{"@type": "type.googleapis.com/pkg.Msg", ...fields}` (or `"value"` for a well-known
    /// type) as a `google.protobuf.Any`, resolving the type in the backend's descriptors, else in every
    /// backend's.
    private mutating func encodeAny(depth: Int, into output: inout [UInt8]) throws(TranscodingError) {
        let objectStart = reader.position
        try beginContainer(UInt8(ascii: "{"), depth: depth, expected: "an object")
        if try reader.consumeIf(UInt8(ascii: "}")) { return }
        var typeURL: [UInt8]?
        repeat {
            let key = try reader.readString()
            try reader.consume(UInt8(ascii: ":"))
            if key.elementsEqual("@type".utf8) {
                typeURL = Array(try reader.readString())
            } else {
                try reader.skipValue(depth: depth + 1, maxDepth: maxDepth)
            }
        } while try reader.consumeIf(UInt8(ascii: ","))
        try reader.consume(UInt8(ascii: "}"))
        let objectEnd = reader.position
        guard let typeURL else { throw reader.error("google.protobuf.Any needs \"@type\"", code: .wrongType) }
        let typeName = String(decoding: typeURL.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self)
        guard let (typeTable, messageIndex) = table.resolveAnyType(typeName) else {
            throw TranscodingError(code: .unsupported, message: "unknown type in google.protobuf.Any: \(typeName)")
        }
        output.append(0x0A)
        output.appendVarint(UInt64(typeURL.count))
        output.append(contentsOf: typeURL)
        output.append(0x12)
        let start = output.beginLengthDelimited()
        if typeTable === table {
            try encodeAnyValue(messageIndex, objectStart: objectStart, depth: depth, into: &output)
        } else {
            // Another backend's type: its own schema table encodes the value.
            var foreign = JSONToWireEncoder(
                table: typeTable, maxDepth: maxDepth, discardUnknownFields: discardUnknownFields, json: reader.bytes)
            defer { foreign.deallocate() }
            try foreign.encodeAnyValue(messageIndex, objectStart: objectStart, depth: depth, into: &output)
        }
        reader.rewind(to: objectEnd)
        output.endLengthDelimited(at: start)
    }

    /// Encodes the fields of the Any object at `objectStart` (or its `"value"`, for a well-known type) as
    /// message `messageIndex` of this encoder's table.
    private mutating func encodeAnyValue(
        _ messageIndex: Int, objectStart: Int, depth: Int, into output: inout [UInt8]
    ) throws(TranscodingError) {
        reader.rewind(to: objectStart)
        if table.messages[messageIndex].wellKnown != nil {
            try reader.consume(UInt8(ascii: "{"))
            repeat {
                let key = try reader.readString()
                try reader.consume(UInt8(ascii: ":"))
                if key.elementsEqual("value".utf8) {
                    try encodeMessage(messageIndex, depth: depth + 1, into: &output)
                } else {
                    try reader.skipValue(depth: depth + 1, maxDepth: maxDepth)
                }
            } while try reader.consumeIf(UInt8(ascii: ","))
        } else {
            try encodeMessage(messageIndex, depth: depth, typeKeyAllowed: true, into: &output)
        }
    }
}
