/// Conversion of JSON tokens and path/query text to the wire value of a scalar field, following the proto3
/// JSON mapping: 64-bit integers as numbers or strings, integral floats accepted for integers, "NaN" and
/// "Infinity" for floats, enums by name (or number).
enum ScalarConversion {
    /// The varint or fixed-width bits of a numeric, bool or enum value of `kind`.
    static func bits(_ input: ScalarInput, kind: FieldKind, enumLayout: EnumLayout?) throws(TranscodingError)
        -> UInt64
    {
        switch kind {
        case .bool:
            switch input {
            case .bool(let value): return value ? 1 : 0
            case .text(let text):
                if let value = boolText(text) { return value ? 1 : 0 }
                throw TranscodingError(code: .wrongType, message: "expected true or false")
            default: throw TranscodingError(code: .wrongType, message: "expected true or false")
            }
        case .double:
            return try double(input).bitPattern
        case .float:
            let value = try double(input)
            // A number a little above the largest float still rounds to it: 3.4028235e+38, the shortest
            // spelling of Float.greatestFiniteMagnitude that every printer writes, is one.
            if value.isFinite, !Float(value).isFinite {
                throw TranscodingError(code: .outOfRange, message: "\(value) does not fit a float")
            }
            return UInt64(Float(value).bitPattern)
        case .enumeration:
            return try enumNumber(input, enumLayout: enumLayout!)
        default:
            let text: UnsafeRawBufferPointer
            switch input {
            case .number(let bytes), .string(let bytes), .text(let bytes): text = bytes
            case .bool: throw TranscodingError(code: .wrongType, message: "expected a number")
            }
            return try integer(text, kind: kind)
        }
    }

    private static func enumNumber(_ input: ScalarInput, enumLayout: EnumLayout) throws(TranscodingError) -> UInt64 {
        switch input {
        case .string(let name):
            if let number = enumLayout.numbersByName.lookup(name) { return UInt64(bitPattern: Int64(number)) }
            throw unknownEnumValue(name, enumLayout: enumLayout)
        case .number(let text):
            return try integer(text, kind: .int32)
        case .text(let text):
            if let number = enumLayout.numbersByName.lookup(text) { return UInt64(bitPattern: Int64(number)) }
            if let bits = try? integer(text, kind: .int32) { return bits }
            throw unknownEnumValue(text, enumLayout: enumLayout)
        case .bool:
            throw TranscodingError(code: .wrongType, message: "expected an enum name or number")
        }
    }

    private static func unknownEnumValue(_ name: UnsafeRawBufferPointer, enumLayout: EnumLayout) -> TranscodingError {
        TranscodingError(
            code: .unknownEnumValue,
            message: "\"\(String(decoding: name, as: UTF8.self))\" is not a value of \(enumLayout.fullName)"
        )
    }

    /// strconv.ParseBool's spellings, as grpc-gateway accepts them in paths and queries.
    static func boolText(_ text: UnsafeRawBufferPointer) -> Bool? {
        switch String(decoding: text, as: UTF8.self) {
        case "true", "True", "TRUE", "t", "T", "1": true
        case "false", "False", "FALSE", "f", "F", "0": false
        default: nil
        }
    }

    /// A double from a JSON number, or a string holding a number, "NaN", "Infinity" or "-Infinity".
    static func double(_ input: ScalarInput) throws(TranscodingError) -> Double {
        let text: UnsafeRawBufferPointer
        switch input {
        case .number(let bytes):
            text = bytes
        case .string(let bytes), .text(let bytes):
            switch String(decoding: bytes, as: UTF8.self) {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: break
            }
            guard bytes.count > 0, JSONReader.numberEnd(bytes, from: 0) == bytes.count else {
                throw TranscodingError(code: .wrongType, message: "expected a number")
            }
            text = bytes
        case .bool:
            throw TranscodingError(code: .wrongType, message: "expected a number")
        }
        guard let value = Double(String(decoding: text, as: UTF8.self)) else {
            throw TranscodingError(code: .wrongType, message: "expected a number")
        }
        guard value.isFinite else { throw TranscodingError(code: .outOfRange, message: "number too large") }
        return value
    }

    /// The wire bits of an integer of `kind` written as decimal digits or as an integral JSON number.
    static func integer(_ text: UnsafeRawBufferPointer, kind: FieldKind) throws(TranscodingError) -> UInt64 {
        var negative = false
        var magnitude: UInt64 = 0
        var index = 0
        if text.count > 0, text[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var isPlainInteger = index < text.count
        var overflow = false
        while index < text.count {
            let byte = text[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                isPlainInteger = false
                break
            }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            overflow = overflow || overflow1 || overflow2
            magnitude = sum
            index += 1
        }
        if !isPlainInteger {
            guard text.count > 0, JSONReader.numberEnd(text, from: 0) == text.count,
                let value = Double(String(decoding: text, as: UTF8.self))
            else { throw TranscodingError(code: .wrongType, message: "expected an integer") }
            guard value.rounded(.towardZero) == value, value.isFinite else {
                throw TranscodingError(code: .outOfRange, message: "\(value) is not an integer")
            }
            guard abs(value) < 18_446_744_073_709_551_616.0 else { throw outOfRange(text, kind) }
            negative = value < 0
            magnitude = UInt64(abs(value))
        } else if overflow {
            throw outOfRange(text, kind)
        }
        switch kind {
        case .int32, .sint32, .sfixed32:
            guard negative ? magnitude <= 0x8000_0000 : magnitude <= 0x7FFF_FFFF else { throw outOfRange(text, kind) }
            let value = negative ? Int32(truncatingIfNeeded: 0 &- magnitude) : Int32(magnitude)
            switch kind {
            case .sint32: return UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
            case .sfixed32: return UInt64(UInt32(bitPattern: value))
            default: return UInt64(bitPattern: Int64(value))
            }
        case .int64, .sint64, .sfixed64:
            guard negative ? magnitude <= 0x8000_0000_0000_0000 : magnitude <= 0x7FFF_FFFF_FFFF_FFFF else {
                throw outOfRange(text, kind)
            }
            let value = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
            if kind == .sint64 { return UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
            return UInt64(bitPattern: value)
        case .uint32, .fixed32:
            guard !negative || magnitude == 0, magnitude <= 0xFFFF_FFFF else { throw outOfRange(text, kind) }
            return magnitude
        default:
            guard !negative || magnitude == 0 else { throw outOfRange(text, kind) }
            return magnitude
        }
    }

    private static func outOfRange(_ text: UnsafeRawBufferPointer, _ kind: FieldKind) -> TranscodingError {
        TranscodingError(
            code: .outOfRange,
            message: "\(String(decoding: text, as: UTF8.self)) is out of range for \(kind)"
        )
    }

    /// Checks that path or query text is valid UTF-8 for a string field.
    static func checkUTF8(_ text: UnsafeRawBufferPointer) throws(TranscodingError) {
        guard isValidUTF8(text) else { throw TranscodingError(code: .wrongType, message: "invalid UTF-8 in string") }
    }

    static func isValidUTF8(_ text: UnsafeRawBufferPointer) -> Bool {
        if !text.contains(where: { $0 >= 0x80 }) { return true }
        var iterator = text.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
