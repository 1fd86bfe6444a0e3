/// The few protobuf writes of the reflection messages, on top of `appendVarint` and `beginLengthDelimited`.
extension Array where Element == UInt8 {
    /// Appends a length-delimited field holding `text`'s UTF-8.
    mutating func appendText(field number: UInt64, _ text: String) {
        appendVarint(number << 3 | 2)
        appendVarint(UInt64(text.utf8.count))
        append(contentsOf: text.utf8)
    }

    /// Appends a length-delimited field holding `payload`.
    mutating func appendBytes(field number: UInt64, _ payload: [UInt8]) {
        appendVarint(number << 3 | 2)
        appendVarint(UInt64(payload.count))
        append(contentsOf: payload)
    }

    /// Appends the tag of a length-delimited field whose payload follows; end it with `endLengthDelimited`.
    mutating func beginMessage(field number: UInt64) -> Int {
        appendVarint(number << 3 | 2)
        return beginLengthDelimited()
    }
}
