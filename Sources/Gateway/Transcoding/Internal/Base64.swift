/// Base64 for protobuf `bytes`: decoding accepts the standard and URL-safe alphabets, padded or not;
/// encoding writes the standard alphabet, padded.
enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0-63 for a character of either alphabet, 0xFF otherwise.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// The length of `text` without its padding: up to two `=` at the end.
    private static func unpaddedCount(_ text: UnsafeRawBufferPointer) -> Int {
        var count = text.count
        while count > 0, text.count - count < 2, text[count - 1] == UInt8(ascii: "=") { count -= 1 }
        return count
    }

    /// The number of bytes `text` decodes to, after checking its length and padding.
    static func decodedLength(_ text: UnsafeRawBufferPointer) throws(TranscodingError) -> Int {
        let count = unpaddedCount(text)
        guard count % 4 != 1, count == text.count || text.count % 4 == 0 else {
            throw TranscodingError(code: .wrongType, message: "invalid base64")
        }
        return count / 4 * 3 + (count % 4 == 0 ? 0 : count % 4 - 1)
    }

    /// Decodes `text` (already checked by `decodedLength`) and appends the bytes. An `=` before the padding
    /// is invalid, not the end: the bytes after it would be lost.
    static func decode(_ text: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(TranscodingError) {
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text[..<unpaddedCount(text)] {
            let value = values[Int(byte)]
            guard value != 0xFF else { throw TranscodingError(code: .wrongType, message: "invalid base64") }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
    }

    /// Appends the standard, padded encoding of `bytes`.
    static func encode(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            output.append(alphabet[Int(chunk >> 6 & 0x3F)])
            output.append(alphabet[Int(chunk & 0x3F)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            output.append(alphabet[Int(chunk >> 18 & 0x3F)])
            output.append(alphabet[Int(chunk >> 12 & 0x3F)])
            output.append(rest == 2 ? alphabet[Int(chunk >> 6 & 0x3F)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
    }
}
