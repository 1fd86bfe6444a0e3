/// `google.api.HttpBody` (`content_type` = 1, `data` = 2): a message that carries raw HTTP bytes with their
/// content type instead of JSON, as a request body or as a reply.
enum HTTPBodyMessage {
    static let fullName = "google.api.HttpBody"

    /// The slots from message `index` to the HttpBody that stands for the HTTP body: `[]` when the message
    /// itself is one (and `path` is nil), `path` when the field it reaches is one; nil otherwise.
    static func slots(along path: [Int]?, in index: Int, table: SchemaTable) -> [Int]? {
        var message = index
        for slot in path ?? [] {
            let field = table.messages[message].fields[slot]
            guard field.kind == .message, !field.isRepeated else { return nil }
            message = field.typeIndex
        }
        return table.messages[message].fullName == fullName ? path ?? [] : nil
    }

    /// Appends the encoding of an HttpBody holding `data` and `contentType`, nested in the fields along `slots`
    /// of message `index`. The data is copied once.
    static func encode(
        contentType: Substring, data: UnsafeRawBufferPointer, along slots: [Int], in index: Int, table: SchemaTable,
        into output: inout [UInt8]
    ) {
        var payload = 0
        if !contentType.isEmpty { payload += fieldSize(contentType.utf8.count) }
        if !data.isEmpty { payload += fieldSize(data.count) }
        // The length of each enclosing message, outermost first.
        var tags: [UInt64] = []
        var message = index
        for slot in slots {
            let field = table.messages[message].fields[slot]
            tags.append(field.lengthDelimitedTag)
            message = field.typeIndex
        }
        var lengths = Array(repeating: payload, count: tags.count)
        for level in lengths.indices.reversed().dropFirst() {
            lengths[level] = fieldSize(lengths[level + 1], tag: tags[level + 1])
        }
        output.reserveCapacity(output.count + (lengths.first.map { fieldSize($0, tag: tags[0]) } ?? payload))
        for (tag, length) in zip(tags, lengths) {
            output.appendVarint(tag)
            output.appendVarint(UInt64(length))
        }
        if !contentType.isEmpty {
            output.appendVarint(1 << 3 | UInt64(WireType.lengthDelimited.rawValue))
            output.appendVarint(UInt64(contentType.utf8.count))
            output.append(contentsOf: contentType.utf8)
        }
        if !data.isEmpty {
            output.appendVarint(2 << 3 | UInt64(WireType.lengthDelimited.rawValue))
            output.appendVarint(UInt64(data.count))
            output.append(contentsOf: data)
        }
    }

    /// The content type and the range of the data of the HttpBody along `slots` of message `index` in `bytes`;
    /// an absent HttpBody or field is empty.
    static func read(_ bytes: UnsafeRawBufferPointer, along slots: [Int], in index: Int, table: SchemaTable)
        throws(TranscodingError) -> (contentType: String, data: Range<Int>)
    {
        var range = 0..<bytes.count
        var message = index
        for slot in slots {
            let field = table.messages[message].fields[slot]
            range = try lastValue(ofField: UInt64(field.number), in: range, of: bytes) ?? 0..<0
            message = field.typeIndex
        }
        let contentType = try lastValue(ofField: 1, in: range, of: bytes) ?? 0..<0
        let text = UnsafeRawBufferPointer(rebasing: bytes[contentType])
        guard ScalarConversion.isValidUTF8(text) else { throw WireReader.malformed("invalid UTF-8 in content_type") }
        return (String(decoding: text, as: UTF8.self), try lastValue(ofField: 2, in: range, of: bytes) ?? 0..<0)
    }

    /// The payload of the last length-delimited occurrence of field `number` in `range`.
    private static func lastValue(ofField number: UInt64, in range: Range<Int>, of bytes: UnsafeRawBufferPointer)
        throws(TranscodingError) -> Range<Int>?
    {
        var reader = WireReader(bytes: bytes, range: range)
        var found: Range<Int>?
        while !reader.isAtEnd {
            let (fieldNumber, wireType) = try reader.readTag()
            let value = try reader.skipValue(wireType: wireType, number: fieldNumber)
            if fieldNumber == number {
                guard wireType == WireType.lengthDelimited.rawValue else {
                    throw WireReader.malformed("google.api.HttpBody field \(number) is not length-delimited")
                }
                found = value
            }
        }
        return found
    }

    /// The size of a length-delimited field of `length` bytes with a one-byte tag (or `tag`).
    private static func fieldSize(_ length: Int, tag: UInt64 = 0x0A) -> Int {
        varintSize(tag) + varintSize(UInt64(length)) + length
    }

    private static func varintSize(_ value: UInt64) -> Int {
        max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }
}
