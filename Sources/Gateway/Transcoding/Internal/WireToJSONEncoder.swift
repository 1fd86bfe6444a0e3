/// Reads protobuf wire bytes and appends the proto3 JSON of the message, driven by the compiled layouts.
///
/// Each message is scanned once into `occurrences` (field slot and value range), sorted by field number if
/// the wire was out of order, then printed. A singular message field that occurs several times is printed
/// from all its occurrences as `segments` (protobuf merges them); a singular scalar prints its last value.
/// Both arrays are stacks shared by all nesting levels, so steady-state encoding does not allocate.
struct WireToJSONEncoder {
    struct Occurrence {
        var slot: Int32
        var wireType: UInt8
        /// The value bytes: the varint, the fixed-width bytes, or a length-delimited payload.
        var range: Range<Int>
    }

    let table: SchemaTable
    /// Where an Any's `@type` is looked up: the backend's table, whichever table's types are being printed.
    let anyTypes: SchemaTable
    let options: TranscodingOptions
    let bytes: UnsafeRawBufferPointer
    var occurrences: [Occurrence] = []
    var segments: [Range<Int>] = []

    init(table: SchemaTable, anyTypes: SchemaTable? = nil, options: TranscodingOptions, bytes: UnsafeRawBufferPointer) {
        self.table = table
        self.anyTypes = anyTypes ?? table
        self.options = options
        self.bytes = bytes
        occurrences.reserveCapacity(32)
        segments.reserveCapacity(8)
    }

    /// Prints message `index` whose encoding is the concatenation of `segments[segmentRange]`.
    mutating func writeMessage(_ index: Int, segments segmentRange: Range<Int>, depth: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        guard depth <= options.maxDepth else {
            throw TranscodingError(code: .tooDeep, message: "messages nested deeper than \(options.maxDepth)")
        }
        let layout = table.messages[index]
        if let wellKnown = layout.wellKnown {
            let base = occurrences.count
            defer { occurrences.removeLast(occurrences.count - base) }
            try collect(layout, segments: segmentRange)
            try writeWellKnown(wellKnown, layout: layout, base: base, depth: depth, into: &output)
        } else {
            output.append(UInt8(ascii: "{"))
            var first = true
            try writeFields(index, segments: segmentRange, depth: depth, first: &first, into: &output)
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Prints the fields of message `index` as object members (no braces).
    mutating func writeFields(
        _ index: Int,
        segments segmentRange: Range<Int>,
        depth: Int,
        first: inout Bool,
        into output: inout [UInt8]
    ) throws(TranscodingError) {
        let layout = table.messages[index]
        let base = occurrences.count
        defer { occurrences.removeLast(occurrences.count - base) }
        try collect(layout, segments: segmentRange)
        let end = occurrences.count
        var next = base
        for slot in 0..<layout.fields.count {
            let field = layout.fields[slot]
            let groupStart = next
            while next < end, occurrences[next].slot == slot { next += 1 }
            if groupStart == next {
                let printsDefault = field.oneofIndex < 0 && !(field.hasPresence && field.kind != .message)
                if options.emitUnpopulated, printsDefault {
                    appendKey(field, first: &first, into: &output)
                    writeDefault(field, into: &output)
                }
                continue
            }
            let group = groupStart..<next
            if field.oneofIndex >= 0,
                isSuperseded(occurrences[next - 1], oneofIndex: field.oneofIndex, layout: layout, in: base..<end)
            {
                continue
            }
            if !field.isRepeated, field.kind != .message, !field.hasPresence, !options.emitUnpopulated,
                try isDefault(occurrences[next - 1])
            {
                continue
            }
            appendKey(field, first: &first, into: &output)
            try writeValue(field, group: group, depth: depth, into: &output)
        }
    }

    /// Whether another member of the oneof occurs after `occurrence` (the last member on the wire wins).
    private func isSuperseded(_ occurrence: Occurrence, oneofIndex: Int, layout: MessageLayout, in range: Range<Int>)
        -> Bool
    {
        occurrences[range].contains { other in
            other.range.lowerBound > occurrence.range.lowerBound
                && layout.fields[Int(other.slot)].oneofIndex == oneofIndex
        }
    }

    /// Records the known fields of `layout` found in the segments, sorted by slot.
    mutating func collect(_ layout: MessageLayout, segments segmentRange: Range<Int>) throws(TranscodingError) {
        let base = occurrences.count
        for segment in segmentRange {
            var reader = WireReader(bytes: bytes, range: segments[segment])
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                let range = try reader.skipValue(wireType: wireType, number: number)
                guard let slot = layout.slot(forNumber: number) else { continue }
                let field = layout.fields[slot]
                guard
                    wireType == field.kind.wireType.rawValue
                        || (wireType == 2 && field.isRepeated && field.kind.isPackable)
                else { continue }
                occurrences.append(Occurrence(slot: Int32(slot), wireType: wireType, range: range))
            }
        }
        var isSorted = true
        var index = base + 1
        while index < occurrences.count {
            if occurrences[index].slot < occurrences[index - 1].slot {
                isSorted = false
                break
            }
            index += 1
        }
        if !isSorted {
            occurrences[base...].sort {
                ($0.slot, $0.range.lowerBound) < ($1.slot, $1.range.lowerBound)
            }
        }
    }

    private func appendKey(_ field: FieldLayout, first: inout Bool, into output: inout [UInt8]) {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        output.append(contentsOf: options.useProtoNames ? field.protoKey : field.jsonKey)
    }

    /// Whether a scalar occurrence holds its type's default (zero bits or empty).
    private func isDefault(_ occurrence: Occurrence) throws(TranscodingError) -> Bool {
        switch occurrence.wireType {
        case 0:
            var reader = WireReader(bytes: bytes, range: occurrence.range)
            return try reader.readVarint() == 0
        case 1, 5:
            return occurrence.range.allSatisfy { bytes[$0] == 0 }
        default:
            return occurrence.range.isEmpty
        }
    }

    /// Pushes the value ranges of `group` as segments; returns their range in `segments`.
    mutating func pushSegments(_ group: Range<Int>) -> Range<Int> {
        let start = segments.count
        for index in group { segments.append(occurrences[index].range) }
        return start..<segments.count
    }

    /// Prints the value of `field` from the occurrences in `group`.
    mutating func writeValue(_ field: FieldLayout, group: Range<Int>, depth: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        if field.isMap {
            try writeMap(field, group: group, depth: depth, into: &output)
        } else if field.isRepeated {
            try writeRepeated(field, group: group, depth: depth, into: &output)
        } else if field.kind == .message {
            let pushed = pushSegments(group)
            defer { segments.removeLast(pushed.count) }
            try writeMessage(field.typeIndex, segments: pushed, depth: depth + 1, into: &output)
        } else {
            let last = occurrences[group.upperBound - 1]
            try writeScalar(field.kind, typeIndex: field.typeIndex, range: last.range, into: &output)
        }
    }

    mutating func writeRepeated(_ field: FieldLayout, group: Range<Int>, depth: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        output.append(UInt8(ascii: "["))
        var first = true
        for index in group {
            let occurrence = occurrences[index]
            if field.kind == .message {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                segments.append(occurrence.range)
                defer { segments.removeLast() }
                try writeMessage(
                    field.typeIndex, segments: (segments.count - 1)..<segments.count, depth: depth + 1, into: &output)
            } else if occurrence.wireType == 2, field.kind.isPackable {
                var reader = WireReader(bytes: bytes, range: occurrence.range)
                while !reader.isAtEnd {
                    let range = try reader.skipValue(wireType: field.kind.wireType.rawValue, number: 0)
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    try writeScalar(field.kind, typeIndex: field.typeIndex, range: range, into: &output)
                }
            } else {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                try writeScalar(field.kind, typeIndex: field.typeIndex, range: occurrence.range, into: &output)
            }
        }
        output.append(UInt8(ascii: "]"))
    }

    mutating func writeMap(_ field: FieldLayout, group: Range<Int>, depth: Int, into output: inout [UInt8])
        throws(TranscodingError)
    {
        let entry = table.messages[field.typeIndex]
        let keyField = entry.fields[0]
        let valueField = entry.fields[1]
        var entries: [(key: Range<Int>?, value: Range<Int>?)] = []
        entries.reserveCapacity(group.count)
        for index in group {
            var reader = WireReader(bytes: bytes, range: occurrences[index].range)
            var key: Range<Int>?
            var value: Range<Int>?
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readTag()
                let range = try reader.skipValue(wireType: wireType, number: number)
                if number == 1, wireType == keyField.kind.wireType.rawValue {
                    key = range
                } else if number == 2, wireType == valueField.kind.wireType.rawValue {
                    value = range
                }
            }
            entries.append((key, value))
        }
        let keep = keptEntries(entries.map(\.key))
        output.append(UInt8(ascii: "{"))
        var first = true
        for (position, (key, value)) in entries.enumerated() where keep[position] {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            try writeMapKey(keyField.kind, range: key, into: &output)
            output.append(UInt8(ascii: ":"))
            if valueField.kind == .message {
                if let value { segments.append(value) }
                let pushed = (value == nil ? segments.count : segments.count - 1)..<segments.count
                defer { segments.removeLast(pushed.count) }
                try writeMessage(valueField.typeIndex, segments: pushed, depth: depth + 1, into: &output)
            } else if let value {
                try writeScalar(valueField.kind, typeIndex: valueField.typeIndex, range: value, into: &output)
            } else {
                writeDefaultScalar(valueField.kind, typeIndex: valueField.typeIndex, into: &output)
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Which map entries to print: for a key that occurs several times, only the last entry (protobuf's
    /// rule), so that the JSON object has unique names.
    private func keptEntries(_ keys: [Range<Int>?]) -> [Bool] {
        var keep = [Bool](repeating: true, count: keys.count)
        guard keys.count > 1 else { return keep }
        func same(_ left: Range<Int>?, _ right: Range<Int>?) -> Bool {
            switch (left, right) {
            case (nil, nil): true
            case (let left?, let right?): bytes[left].elementsEqual(bytes[right])
            default: false
            }
        }
        if keys.count <= 64 {
            for position in keys.indices {
                for later in (position + 1)..<keys.count where same(keys[position], keys[later]) {
                    keep[position] = false
                    break
                }
            }
        } else {
            var seen: Set<[UInt8]?> = []
            for position in keys.indices.reversed() where !seen.insert(keys[position].map { Array(bytes[$0]) }).inserted
            {
                keep[position] = false
            }
        }
        return keep
    }

    private func writeMapKey(_ kind: FieldKind, range: Range<Int>?, into output: inout [UInt8]) throws(TranscodingError)
    {
        guard let range else {
            switch kind {
            case .string: output.appendQuoted(EmptyCollection())
            case .bool: output.appendQuoted("false".utf8)
            default: output.appendQuoted("0".utf8)
            }
            return
        }
        switch kind {
        case .string:
            try writeScalar(kind, typeIndex: -1, range: range, into: &output)
        case .bool:
            var reader = WireReader(bytes: bytes, range: range)
            output.appendQuoted((try reader.readVarint() != 0 ? "true" : "false").utf8)
        default:
            try writeInteger(kind, range: range, quoted: true, into: &output)
        }
    }

    /// Prints one scalar value of `kind` stored in `range`.
    func writeScalar(_ kind: FieldKind, typeIndex: Int, range: Range<Int>, into output: inout [UInt8])
        throws(TranscodingError)
    {
        switch kind {
        case .string:
            let payload = UnsafeRawBufferPointer(rebasing: bytes[range])
            guard ScalarConversion.isValidUTF8(payload) else {
                throw WireReader.malformed("invalid UTF-8 in a string field")
            }
            JSONString.appendUTF8(payload, to: &output)
        case .bytes:
            output.append(UInt8(ascii: "\""))
            Base64.encode(UnsafeRawBufferPointer(rebasing: bytes[range]), into: &output)
            output.append(UInt8(ascii: "\""))
        case .double:
            Self.appendFloatingPoint(
                Double(bitPattern: WireReader.fixed(bytes, at: range.lowerBound, count: 8)), to: &output)
        case .float:
            let bits = UInt32(truncatingIfNeeded: WireReader.fixed(bytes, at: range.lowerBound, count: 4))
            Self.appendFloatingPoint(Float(bitPattern: bits), to: &output)
        case .bool:
            var reader = WireReader(bytes: bytes, range: range)
            output.append(contentsOf: try reader.readVarint() != 0 ? Array("true".utf8) : Array("false".utf8))
        case .enumeration:
            var reader = WireReader(bytes: bytes, range: range)
            writeEnum(typeIndex, number: Int32(truncatingIfNeeded: try reader.readVarint()), into: &output)
        case .message, .group:
            throw WireReader.malformed("unexpected message value")
        default:
            try writeInteger(kind, range: range, quoted: quotes(kind), into: &output)
        }
    }

    /// Whether an integer of `kind` prints as a JSON string: 64-bit ones do, unless `int64AsNumbers`.
    private func quotes(_ kind: FieldKind) -> Bool {
        kind.is64Bit && !options.int64AsNumbers
    }

    private func writeInteger(_ kind: FieldKind, range: Range<Int>, quoted: Bool, into output: inout [UInt8])
        throws(TranscodingError)
    {
        let raw: UInt64
        switch kind.wireType {
        case .fixed32: raw = WireReader.fixed(bytes, at: range.lowerBound, count: 4)
        case .fixed64: raw = WireReader.fixed(bytes, at: range.lowerBound, count: 8)
        default:
            var reader = WireReader(bytes: bytes, range: range)
            raw = try reader.readVarint()
        }
        if quoted { output.append(UInt8(ascii: "\"")) }
        switch kind {
        case .int32:
            output.appendDecimal(Int64(Int32(truncatingIfNeeded: raw)))
        case .sfixed32:
            output.appendDecimal(Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: raw))))
        case .sint32:
            let value = UInt32(truncatingIfNeeded: raw)
            output.appendDecimal(Int64(Int32(bitPattern: (value >> 1) ^ (0 &- (value & 1)))))
        case .uint32, .fixed32:
            output.appendDecimal(UInt64(UInt32(truncatingIfNeeded: raw)))
        case .int64, .sfixed64:
            output.appendDecimal(Int64(bitPattern: raw))
        case .sint64:
            output.appendDecimal(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
        default:
            output.appendDecimal(raw)
        }
        if quoted { output.append(UInt8(ascii: "\"")) }
    }

    /// Shortest round-trip text; NaN and infinities as the strings proto3 JSON uses.
    static func appendFloatingPoint<Value: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: Value,
        to output: inout [UInt8]
    ) {
        if value.isNaN {
            output.append(contentsOf: "\"NaN\"".utf8)
        } else if value.isInfinite {
            output.append(contentsOf: (value < 0 ? "\"-Infinity\"" : "\"Infinity\"").utf8)
        } else {
            var text = value.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            output.append(contentsOf: text.utf8)
        }
    }

    func writeEnum(_ typeIndex: Int, number: Int32, into output: inout [UInt8]) {
        let layout = table.enums[typeIndex]
        if layout.isNullValue {
            output.append(contentsOf: "null".utf8)
        } else if !options.enumsAsInts, let name = layout.quotedNames[number] {
            output.append(contentsOf: name)
        } else {
            output.appendDecimal(Int64(number))
        }
    }

    /// Prints the default of a field that is absent (for `emitUnpopulated` and `response_body`).
    func writeDefault(_ field: FieldLayout, into output: inout [UInt8]) {
        if field.isMap {
            output.append(contentsOf: "{}".utf8)
        } else if field.isRepeated {
            output.append(contentsOf: "[]".utf8)
        } else if field.kind == .message {
            output.append(contentsOf: "null".utf8)
        } else {
            writeDefaultScalar(field.kind, typeIndex: field.typeIndex, into: &output)
        }
    }

    func writeDefaultScalar(_ kind: FieldKind, typeIndex: Int, into output: inout [UInt8]) {
        switch kind {
        case .string, .bytes: output.append(contentsOf: "\"\"".utf8)
        case .bool: output.append(contentsOf: "false".utf8)
        case .enumeration: writeEnum(typeIndex, number: table.enums[typeIndex].defaultNumber, into: &output)
        default: output.append(contentsOf: (quotes(kind) ? "\"0\"" : "0").utf8)
        }
    }

    /// The occurrences of `slot` among those collected from `base` on (they are sorted by slot).
    func group(ofSlot slot: Int, from base: Int) -> Range<Int> {
        var start = base
        while start < occurrences.count, occurrences[start].slot < slot { start += 1 }
        var end = start
        while end < occurrences.count, occurrences[end].slot == slot { end += 1 }
        return start..<end
    }

    /// Prints only the field at the end of `slots` (a `response_body` path), its default when absent.
    mutating func writeResponseBody(
        _ slots: ArraySlice<Int>,
        in index: Int,
        segments segmentRange: Range<Int>,
        depth: Int,
        into output: inout [UInt8]
    ) throws(TranscodingError) {
        let layout = table.messages[index]
        let base = occurrences.count
        defer { occurrences.removeLast(occurrences.count - base) }
        try collect(layout, segments: segmentRange)
        let field = layout.fields[slots.first!]
        let group = group(ofSlot: slots.first!, from: base)
        if slots.count > 1 {
            let pushed = pushSegments(group)
            defer { segments.removeLast(pushed.count) }
            try writeResponseBody(
                slots.dropFirst(), in: field.typeIndex, segments: pushed, depth: depth + 1, into: &output)
        } else if !group.isEmpty {
            try writeValue(field, group: group, depth: depth, into: &output)
        } else if field.kind == .message, !field.isRepeated {
            try writeMessage(
                field.typeIndex, segments: segments.count..<segments.count, depth: depth + 1, into: &output)
        } else {
            writeDefault(field, into: &output)
        }
    }
}
