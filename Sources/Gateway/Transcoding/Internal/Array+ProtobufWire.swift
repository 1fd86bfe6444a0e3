extension Array where Element == UInt8 {
    /// Appends a base-128 varint.
    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a little-endian 32-bit value.
    mutating func appendFixed32(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// Appends a little-endian 64-bit value.
    mutating func appendFixed64(_ value: UInt64) {
        appendFixed32(UInt32(truncatingIfNeeded: value))
        appendFixed32(UInt32(truncatingIfNeeded: value >> 32))
    }

    /// Reserves one byte for the length of a length-delimited record whose payload follows; returns the
    /// position to hand to `endLengthDelimited`.
    mutating func beginLengthDelimited() -> Int {
        append(0)
        return count - 1
    }

    /// Writes the length of the payload appended since `beginLengthDelimited`, moving the payload when the
    /// length needs more than one byte.
    mutating func endLengthDelimited(at start: Int) {
        let length = count - start - 1
        if length < 0x80 {
            self[start] = UInt8(length)
            return
        }
        var size = 1
        var rest = length >> 7
        while rest > 0 {
            size += 1
            rest >>= 7
        }
        append(contentsOf: repeatElement(0, count: size - 1))
        withUnsafeMutableBytes { buffer in
            let base = buffer.baseAddress!
            (base + start + size).copyMemory(from: base + start + 1, byteCount: length)
            var value = length
            for index in 0..<size {
                buffer[start + index] = UInt8(truncatingIfNeeded: value) | (index < size - 1 ? 0x80 : 0)
                value >>= 7
            }
        }
    }

    /// Appends `"` + `bytes` + `"` without escaping (for text known to need none).
    mutating func appendQuoted(_ bytes: some Sequence<UInt8>) {
        append(UInt8(ascii: "\""))
        append(contentsOf: bytes)
        append(UInt8(ascii: "\""))
    }

    /// Appends the decimal digits of `value`.
    mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[39 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(40 - count)...]))
        }
    }

    /// Appends the decimal digits of `value` with a leading `-` when negative.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(value.magnitude)
        } else {
            appendDecimal(UInt64(value))
        }
    }
}
