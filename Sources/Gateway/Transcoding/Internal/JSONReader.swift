/// A pull reader over JSON bytes: whitespace, punctuation, literals, strings (unescaped and UTF-8 checked)
/// and numbers (grammar checked). Strings without escapes point into the input; escaped ones into `scratch`.
struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    var scratch = ScratchBuffer()

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Frees the scratch memory; call once when done.
    func deallocate() { scratch.deallocate() }

    func error(_ message: String, code: TranscodingError.Code = .invalidJSON) -> TranscodingError {
        TranscodingError(code: code, message: message, offset: position)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Whether only whitespace remains.
    mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    /// The next non-whitespace byte, not consumed.
    mutating func peek() throws(TranscodingError) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of JSON") }
        return bytes[position]
    }

    mutating func consume(_ byte: UInt8) throws(TranscodingError) {
        guard try peek() == byte else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        position += 1
    }

    mutating func consumeIf(_ byte: UInt8) throws(TranscodingError) -> Bool {
        guard try peek() == byte else { return false }
        position += 1
        return true
    }

    /// Reads `null`, `true` or `false` (whichever `word` is).
    mutating func readLiteral(_ word: StaticString) throws(TranscodingError) {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("invalid literal") }
        let text = word.utf8Start
        for index in 0..<count where bytes[position + index] != text[index] {
            throw error("invalid literal")
        }
        position += count
    }

    /// Reads a string, a number, `true` or `false`.
    mutating func readScalar() throws(TranscodingError) -> ScalarInput {
        switch try peek() {
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumber())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw error("expected a scalar value, found an object or array", code: .wrongType)
        default:
            throw error("unexpected character")
        }
    }

    /// Reads a JSON number and returns its text.
    mutating func readNumber() throws(TranscodingError) -> UnsafeRawBufferPointer {
        skipWhitespace()
        let start = position
        guard let end = JSONReader.numberEnd(bytes, from: position) else { throw error("invalid number") }
        position = end
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// The end of the JSON number starting at `start`, or nil when the text there is not one.
    static func numberEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        func digits() -> Int {
            let first = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return nil
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            if digits() == 0 { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            if digits() == 0 { return nil }
        }
        return index
    }

    /// Reads a string and returns its unescaped UTF-8 content.
    mutating func readString() throws(TranscodingError) -> UnsafeRawBufferPointer {
        try consume(UInt8(ascii: "\""))
        let start = position
        var escaped = false
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return escaped ? scratch.bytes : UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1])
            }
            if byte == UInt8(ascii: "\\") {
                if !escaped {
                    escaped = true
                    scratch.reset()
                    scratch.append(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
                }
                try readEscape()
                continue
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte < 0x80 {
                if escaped { scratch.append(byte) }
                position += 1
                continue
            }
            let length = try utf8SequenceLength(at: position)
            if escaped { scratch.append(UnsafeRawBufferPointer(rebasing: bytes[position..<position + length])) }
            position += length
        }
    }

    /// The length of the valid UTF-8 sequence at `index`.
    private func utf8SequenceLength(at index: Int) throws(TranscodingError) -> Int {
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, lower) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, upper) = (3, 0x9F)
        case 0xF0: (length, lower) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, upper) = (4, 0x8F)
        default: throw TranscodingError(code: .invalidJSON, message: "invalid UTF-8", offset: index)
        }
        guard index + length <= bytes.count else {
            throw TranscodingError(code: .invalidJSON, message: "invalid UTF-8", offset: index)
        }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let (low, high) = offset == 1 ? (lower, upper) : (0x80, 0xBF)
            guard byte >= low, byte <= high else {
                throw TranscodingError(code: .invalidJSON, message: "invalid UTF-8", offset: index)
            }
        }
        return length
    }

    private mutating func readEscape() throws(TranscodingError) {
        position += 1
        guard position < bytes.count else { throw error("unterminated string") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if scalar >= 0xD800, scalar < 0xDC00 {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw error("unpaired surrogate in string") }
                position += 2
                let low = try readHex4()
                guard low >= 0xDC00, low < 0xE000 else { throw error("unpaired surrogate in string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00, scalar < 0xE000 {
                throw error("unpaired surrogate in string")
            }
            appendUTF8(scalar)
        default:
            throw error("invalid escape in string")
        }
    }

    private mutating func readHex4() throws(TranscodingError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Skips one value of any type, checking its syntax.
    mutating func skipValue(depth: Int, maxDepth: Int) throws(TranscodingError) {
        switch try peek() {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth)", code: .tooDeep) }
            position += 1
            if try consumeIf(UInt8(ascii: "}")) { return }
            repeat {
                _ = try readString()
                try consume(UInt8(ascii: ":"))
                try skipValue(depth: depth + 1, maxDepth: maxDepth)
            } while try consumeIf(UInt8(ascii: ","))
            try consume(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth)", code: .tooDeep) }
            position += 1
            if try consumeIf(UInt8(ascii: "]")) { return }
            repeat {
                try skipValue(depth: depth + 1, maxDepth: maxDepth)
            } while try consumeIf(UInt8(ascii: ","))
            try consume(UInt8(ascii: "]"))
        case UInt8(ascii: "n"):
            try readLiteral("null")
        default:
            _ = try readScalar()
        }
    }

    /// Moves back to an earlier position (used to read an `Any` object twice).
    mutating func rewind(to offset: Int) { position = offset }
}
