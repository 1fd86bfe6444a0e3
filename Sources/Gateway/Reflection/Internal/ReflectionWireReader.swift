/// Reads the protobuf fields of a reflection message from a range of bytes, checking every length against it:
/// the one reader of both sides, the client's `ReflectionResponse` and the served `ReflectionRequest`.
struct ReflectionWireReader {
    /// A field's value: a varint, the range of a length-delimited payload, or a skipped fixed-width value.
    enum Value {
        case varint(UInt64)
        case bytes(Range<Int>)
        case fixed
    }

    /// Why the bytes are not protobuf.
    struct Malformed: Error {
        var message: String
    }

    let bytes: [UInt8]
    private var position: Int
    private let end: Int

    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    init(bytes: [UInt8]) {
        self.init(bytes: bytes, range: bytes.indices)
    }

    var isAtEnd: Bool { position >= end }

    /// Reads one field: its number and value.
    mutating func readField() throws(Malformed) -> (UInt64, Value) {
        let tag = try readVarint()
        switch tag & 7 {
        case 0:
            return (tag >> 3, .varint(try readVarint()))
        case 1, 5:
            let width = tag & 7 == 1 ? 8 : 4
            guard end - position >= width else { throw Malformed(message: "a fixed-width value is cut short") }
            position += width
            return (tag >> 3, .fixed)
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else { throw Malformed(message: "a length exceeds the message") }
            let start = position
            position += Int(length)
            return (tag >> 3, .bytes(start..<position))
        default:
            throw Malformed(message: "a field has wire type \(tag & 7)")
        }
    }

    /// The UTF-8 text of a payload.
    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Reads one varint of a packed repeated field's payload.
    mutating func readPackedVarint() throws(Malformed) -> UInt64 {
        try readVarint()
    }

    private mutating func readVarint() throws(Malformed) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw Malformed(message: "a varint is cut short or too long")
    }
}
