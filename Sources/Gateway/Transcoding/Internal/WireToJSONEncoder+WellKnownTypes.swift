/// The special JSON forms of the google.protobuf well-known types, on output.
extension WireToJSONEncoder {
    /// Prints a well-known type whose fields were collected from `base` on.
    mutating func writeWellKnown(
        _ wellKnown: WellKnownType,
        layout: MessageLayout,
        base: Int,
        depth: Int,
        into output: inout [UInt8]
    ) throws(TranscodingError) {
        switch wellKnown {
        case .timestamp:
            let seconds = Int64(bitPattern: try lastVarint(slot: 0, from: base))
            let nanos = Int32(truncatingIfNeeded: try lastVarint(slot: 1, from: base))
            try TimeText.appendTimestamp(seconds: seconds, nanos: nanos, to: &output)
        case .duration:
            let seconds = Int64(bitPattern: try lastVarint(slot: 0, from: base))
            let nanos = Int32(truncatingIfNeeded: try lastVarint(slot: 1, from: base))
            try TimeText.appendDuration(seconds: seconds, nanos: nanos, to: &output)
        case .wrapper(let kind):
            let group = group(ofSlot: 0, from: base)
            if group.isEmpty {
                writeDefaultScalar(kind, typeIndex: -1, into: &output)
            } else {
                try writeScalar(kind, typeIndex: -1, range: occurrences[group.upperBound - 1].range, into: &output)
            }
        case .fieldMask:
            var text: [UInt8] = []
            for index in group(ofSlot: 0, from: base) {
                if !text.isEmpty { text.append(UInt8(ascii: ",")) }
                var upperNext = false
                for byte in bytes[occurrences[index].range] {
                    if byte == UInt8(ascii: "_") {
                        upperNext = true
                    } else if upperNext, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") {
                        text.append(byte - 32)
                        upperNext = false
                    } else {
                        text.append(byte)
                        upperNext = false
                    }
                }
            }
            guard text.withUnsafeBytes(ScalarConversion.isValidUTF8) else {
                throw WireReader.malformed("invalid UTF-8 in a field mask")
            }
            text.withUnsafeBytes { JSONString.appendUTF8($0, to: &output) }
        case .structValue:
            try writeMap(layout.fields[0], group: group(ofSlot: 0, from: base), depth: depth, into: &output)
        case .listValue:
            try writeRepeated(layout.fields[0], group: group(ofSlot: 0, from: base), depth: depth, into: &output)
        case .value:
            var winner: Int?
            for index in base..<occurrences.count
            where winner == nil || occurrences[index].range.lowerBound > occurrences[winner!].range.lowerBound {
                winner = index
            }
            guard let winner else {
                output.append(contentsOf: "null".utf8)
                return
            }
            let slot = Int(occurrences[winner].slot)
            try writeValue(layout.fields[slot], group: group(ofSlot: slot, from: base), depth: depth, into: &output)
        case .any:
            try writeAny(base: base, depth: depth, into: &output)
        }
    }

    private func lastVarint(slot: Int, from base: Int) throws(TranscodingError) -> UInt64 {
        let group = group(ofSlot: slot, from: base)
        guard !group.isEmpty else { return 0 }
        var reader = WireReader(bytes: bytes, range: occurrences[group.upperBound - 1].range)
        return try reader.readVarint()
    }

    /// Prints `{"@type": url, ...fields}` (or `"value"` for a well-known type), resolving the type in the
    /// backend's descriptors, else in every backend's.
    private mutating func writeAny(base: Int, depth: Int, into output: inout [UInt8]) throws(TranscodingError) {
        let typeGroup = group(ofSlot: 0, from: base)
        let valueGroup = group(ofSlot: 1, from: base)
        guard !typeGroup.isEmpty else {
            output.append(contentsOf: "{}".utf8)
            return
        }
        let typeURL = occurrences[typeGroup.upperBound - 1].range
        let typeName = String(decoding: bytes[typeURL].split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self)
        guard let (typeTable, messageIndex) = anyTypes.resolveAnyType(typeName) else {
            throw TranscodingError(code: .unsupported, message: "unknown type in google.protobuf.Any: \(typeName)")
        }
        output.append(contentsOf: "{\"@type\":".utf8)
        try writeScalar(.string, typeIndex: -1, range: typeURL, into: &output)
        let value = valueGroup.isEmpty ? valueGroup : (valueGroup.upperBound - 1)..<valueGroup.upperBound
        if typeTable === table {
            let pushed = pushSegments(value)
            defer { segments.removeLast(pushed.count) }
            try writeAnyValue(messageIndex, segments: pushed, depth: depth, into: &output)
        } else {
            // Another backend's type: its own schema table prints the value.
            var foreign = WireToJSONEncoder(table: typeTable, anyTypes: anyTypes, options: options, bytes: bytes)
            for index in value { foreign.segments.append(occurrences[index].range) }
            try foreign.writeAnyValue(messageIndex, segments: 0..<foreign.segments.count, depth: depth, into: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Prints the value of an Any, after its `"@type"`: `,"value":…` for a well-known type, else its fields.
    private mutating func writeAnyValue(
        _ messageIndex: Int, segments: Range<Int>, depth: Int, into output: inout [UInt8]
    ) throws(TranscodingError) {
        if table.messages[messageIndex].wellKnown != nil {
            output.append(contentsOf: ",\"value\":".utf8)
            try writeMessage(messageIndex, segments: segments, depth: depth + 1, into: &output)
        } else {
            var first = false
            try writeFields(messageIndex, segments: segments, depth: depth + 1, first: &first, into: &output)
        }
    }
}
