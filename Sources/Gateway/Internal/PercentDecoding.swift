/// Percent-decoding (RFC 3986 section 2.1) of URL paths for the template parser and the matcher, of query
/// components for the transcoder, and of `grpc-message` values.
///
/// Everything works on byte buffers and allocates nothing except the decoded `String`s it returns.
enum PercentDecoding {
    /// A malformed escape or a decoded byte sequence that is not UTF-8, with where it starts.
    struct Problem: Hashable, Sendable {
        /// The byte offset of the problem in the buffer that was checked.
        var offset: Int
        /// What is wrong, in words fit for an error message.
        var reason: String
    }

    /// The value of an ASCII hex digit, or `nil` for any other byte.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// Checks that every `%` in `bytes[range]` starts a two-hex-digit escape and that the decoded bytes are UTF-8.
    ///
    /// - Returns: the first problem, or `nil` when the bytes decode cleanly.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Problem? {
        // Bytes taken from a Swift string are UTF-8 already: only escapes can break that.
        var hasEscape = false
        for index in range where bytes[index] == UInt8(ascii: "%") {
            hasEscape = true
            break
        }
        guard hasEscape else { return nil }
        var validator = UTF8Validator()
        var index = range.lowerBound
        var sequenceStart = index
        while index < range.upperBound {
            var byte = bytes[index]
            let byteOffset = index
            if byte == UInt8(ascii: "%") {
                guard index + 2 < range.upperBound,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else {
                    return Problem(offset: index, reason: "malformed percent escape at offset \(index)")
                }
                byte = high << 4 | low
                index += 3
            } else {
                index += 1
            }
            if validator.isAtBoundary { sequenceStart = byteOffset }
            guard validator.consume(byte) else {
                return Problem(
                    offset: sequenceStart, reason: "path decodes to invalid UTF-8 at offset \(sequenceStart)")
            }
        }
        guard validator.isAtBoundary else {
            return Problem(offset: sequenceStart, reason: "path decodes to invalid UTF-8 at offset \(sequenceStart)")
        }
        return nil
    }

    /// Compares the decoded bytes of `bytes[range]` with `literal`, byte by byte.
    ///
    /// The escapes in `range` must have been validated.
    /// - Returns: a negative number, zero or a positive number as the decoded segment sorts before, equal to, or
    ///   after `literal`.
    @inline(__always)
    static func compareDecoded(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        with literal: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var index = range.lowerBound
        var literalIndex = 0
        while index < range.upperBound {
            var byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                byte = (hexValue(bytes[index + 1]) ?? 0) << 4 | (hexValue(bytes[index + 2]) ?? 0)
                index += 3
            } else {
                index += 1
            }
            guard literalIndex < literal.count else { return 1 }
            let literalByte = literal[literalIndex]
            if byte != literalByte { return byte < literalByte ? -1 : 1 }
            literalIndex += 1
        }
        return literalIndex == literal.count ? 0 : -1
    }

    /// Decodes `bytes[range]`, whose escapes were validated and whose decoded form is UTF-8.
    ///
    /// - Parameter keepingEncodedSlashes: leave `%2F` and `%2f` as they are (grpc-gateway's `AllExceptSlash`), so
    ///   that a slash that was data stays distinguishable from a segment separator.
    static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        keepingEncodedSlashes: Bool
    ) -> String {
        String(unsafeUninitializedCapacity: range.count) { output in
            var count = 0
            var index = range.lowerBound
            while index < range.upperBound {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%"),
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                {
                    let decoded = high << 4 | low
                    if keepingEncodedSlashes && decoded == UInt8(ascii: "/") {
                        output[count] = byte
                        output[count + 1] = bytes[index + 1]
                        output[count + 2] = bytes[index + 2]
                        count += 3
                    } else {
                        output[count] = decoded
                        count += 1
                    }
                    index += 3
                } else {
                    output[count] = byte
                    count += 1
                    index += 1
                }
            }
            return count
        }
    }

    /// Replaces `output` with a query component decoded as `application/x-www-form-urlencoded`: `%XX`
    /// escapes become bytes and `+` becomes a space.
    ///
    /// - Returns: false at a malformed escape (a `%` not followed by two hex digits).
    static func decodeQueryComponent(_ component: Substring.UTF8View, into output: inout [UInt8]) -> Bool {
        output.removeAll(keepingCapacity: true)
        return decode(component, plusIsSpace: true, strict: true, into: &output)
    }

    /// Decodes `text`, keeping malformed escapes as they are (a `grpc-message` from a peer may be sloppy).
    static func decodeLeniently(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        _ = decode(text[...].utf8, plusIsSpace: false, strict: false, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `bytes` into `output`. A `%` not followed by two hex digits is kept as it is, or, when `strict`,
    /// ends the decoding with false.
    private static func decode(
        _ bytes: Substring.UTF8View, plusIsSpace: Bool, strict: Bool, into output: inout [UInt8]
    ) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if plusIsSpace && byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high < bytes.endIndex,
                let low = bytes.index(high, offsetBy: 1, limitedBy: bytes.endIndex), low < bytes.endIndex,
                let highValue = hexValue(bytes[high]), let lowValue = hexValue(bytes[low])
            {
                output.append(highValue << 4 | lowValue)
                index = low
            } else if strict && byte == UInt8(ascii: "%") {
                return false
            } else {
                output.append(byte)
            }
            index = bytes.index(after: index)
        }
        return true
    }
}
