/// Other encodings of the same `portico.test.Everything` that every protobuf parser must read as the canonical
/// one: top-level fields in another order, each sub-message split in two occurrences that merge, and the
/// packed repeated fields of `Repeateds` unpacked (one record per element).
struct WireRespelling {
    var random: SeededRandom

    /// One field record: its number, wire type, everything after the tag, and where it starts and ends.
    private typealias Record = (number: UInt64, wireType: UInt64, body: ArraySlice<UInt8>, start: Int, end: Int)

    /// Numbers of the packed fields of `Repeateds`, by the wire type of one element.
    private static let packedWireTypes: [UInt64: UInt64] = [
        1: 1, 2: 5, 3: 0, 4: 0, 5: 0, 6: 1, 7: 5, 8: 0, 11: 0, 12: 5, 13: 1, 14: 0, 15: 0, 16: 0,
    ]

    mutating func respell(_ wire: [UInt8]) -> [UInt8] {
        var first: [[UInt8]] = []
        var second: [[UInt8]] = []
        for record in Self.records(wire[...]) {
            var payload = Array(Self.lengthDelimitedPayload(record.body))
            if record.number == 2, random.chance(0.7) { payload = unpacked(payload) }
            let records = Self.records(payload[...])
            let split = Int.random(in: 0...records.count, using: &random)
            let cut = split == records.count ? payload.count : records[split].start
            first.append(Self.lengthDelimited(record.number, payload[..<cut]))
            if cut < payload.count || random.chance(0.2) {
                second.append(Self.lengthDelimited(record.number, payload[cut...]))
            }
        }
        // Each field's first part comes before its second: repeated elements keep their order.
        return (first.shuffled(using: &random) + second.shuffled(using: &random)).flatMap { $0 }
    }

    /// `Repeateds` with its packed fields written one record per element.
    private func unpacked(_ payload: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        for record in Self.records(payload[...]) {
            let whole = payload[record.start..<record.end]
            guard record.wireType == 2, let elementType = Self.packedWireTypes[record.number] else {
                output += whole
                continue
            }
            var elements = Self.lengthDelimitedPayload(record.body)
            while !elements.isEmpty {
                let size = elementType == 1 ? 8 : elementType == 5 ? 4 : Self.varintSize(elements)
                output += Self.varint(record.number << 3 | elementType) + elements.prefix(size)
                elements = elements.dropFirst(size)
            }
        }
        return output
    }

    // MARK: wire format

    private static func records(_ bytes: ArraySlice<UInt8>) -> [Record] {
        var result: [Record] = []
        var position = bytes.startIndex
        while position < bytes.endIndex {
            let start = position
            let tag = readVarint(bytes, &position)
            let bodyStart = position
            switch tag & 7 {
            case 0: _ = readVarint(bytes, &position)
            case 1: position += 8
            case 5: position += 4
            default: position += Int(readVarint(bytes, &position))
            }
            result.append(
                (tag >> 3, tag & 7, bytes[bodyStart..<position], start - bytes.startIndex, position - bytes.startIndex))
        }
        return result
    }

    private static func lengthDelimitedPayload(_ body: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var position = body.startIndex
        let length = Int(readVarint(body, &position))
        return body[position..<(position + length)]
    }

    private static func lengthDelimited(_ number: UInt64, _ payload: ArraySlice<UInt8>) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
    }

    private static func readVarint(_ bytes: ArraySlice<UInt8>, _ position: inout Int) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    private static func varintSize(_ bytes: ArraySlice<UInt8>) -> Int {
        (bytes.firstIndex { $0 < 0x80 } ?? bytes.endIndex - 1) - bytes.startIndex + 1
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var output: [UInt8] = []
        while value >= 0x80 {
            output.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
        return output
    }
}
