/// Reads protobuf wire format from a byte range, checking every length against the range.
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    static func malformed(_ message: String) -> TranscodingError {
        TranscodingError(code: .malformedMessage, message: message)
    }

    mutating func readVarint() throws(TranscodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift >= 70 { break }
        }
        throw Self.malformed("truncated or overlong varint")
    }

    /// Reads a tag; returns the field number and wire type.
    mutating func readTag() throws(TranscodingError) -> (number: UInt64, wireType: UInt8) {
        let tag = try readVarint()
        let number = tag >> 3
        let wireType = UInt8(tag & 7)
        guard number > 0, number <= 0x1FFF_FFFF, wireType <= 5 else { throw Self.malformed("invalid tag") }
        return (number, wireType)
    }

    /// Skips the value of a field with `wireType` and returns the range of its value (for a
    /// length-delimited value: the payload; for a group: its contents).
    mutating func skipValue(wireType: UInt8, number: UInt64, depth: Int = 0) throws(TranscodingError) -> Range<Int> {
        let start = position
        switch wireType {
        case 0:
            _ = try readVarint()
        case 1:
            try advance(8)
        case 5:
            try advance(4)
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else { throw Self.malformed("length exceeds the message") }
            let payloadStart = position
            position += Int(length)
            return payloadStart..<position
        case 3:
            guard depth < 64 else { throw Self.malformed("groups nested too deeply") }
            while true {
                let (innerNumber, innerType) = try readTag()
                if innerType == 4 {
                    guard innerNumber == number else { throw Self.malformed("mismatched end group") }
                    return start..<position
                }
                _ = try skipValue(wireType: innerType, number: innerNumber, depth: depth + 1)
            }
        default:
            throw Self.malformed("unexpected end group")
        }
        return start..<position
    }

    private mutating func advance(_ count: Int) throws(TranscodingError) {
        guard end - position >= count else { throw Self.malformed("truncated fixed-width value") }
        position += count
    }

    /// The little-endian value of `count` (4 or 8) bytes at `offset`.
    static func fixed(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<count).reversed() {
            value = value << 8 | UInt64(bytes[offset + index])
        }
        return value
    }
}
