/// A JSON value as the differential tests see it: numbers keep their text and objects their member order, so
/// that a value can be written back with a different but equivalent spelling. Parsing is strict RFC 8259
/// (UTF-8, no lone surrogates, no raw control characters): every printer under test must produce such JSON.
indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// Why a text is not JSON.
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `text`, which must hold exactly one JSON value (surrounding whitespace allowed).
    init(parsing text: String) throws(ParseError) {
        var parser = Parser(bytes: Array(text.utf8))
        self = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else { throw parser.error("data after the value") }
    }

    /// The member `key` of an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// Compact JSON text, escaping only what JSON requires.
    var text: String {
        var writer = Writer(random: nil, forSwiftProtobuf: true)
        writer.write(self)
        return writer.output
    }

    /// JSON text of the same value, spelled at random as JSON allows: whitespace between tokens, members in
    /// another order, `\u` escapes (surrogate pairs beyond the BMP) for any character, `\/`.
    /// - Parameter forSwiftProtobuf: the same random choices, but no escapes where SwiftProtobuf 1.39 reads them
    ///   wrong: for the characters of base64 (letters, digits, `+/=-_`), since it refuses any escape in a base64
    ///   string and in a quoted number right after its sign (`"-\u0031"`); and beyond the BMP, since it joins
    ///   a surrogate pair with `|` instead of `+` (`\udbff\udfff` reads as U+FFFFF). Python and the spec
    ///   accept all of these.
    func randomlySpelled(using random: inout SeededRandom, forSwiftProtobuf: Bool = false) -> String {
        var writer = Writer(random: random, forSwiftProtobuf: forSwiftProtobuf)
        writer.write(self)
        random = writer.random!
        return writer.output
    }

    /// The first difference between two values, or nil when they denote the same JSON: member order is
    /// ignored, numbers are compared as numbers (sign of zero included), and numbers under a key naming a
    /// float field (`fFloat`, `r_float`, `floatValue`) as 32-bit floats, since implementations print a float's
    /// shortest spelling as a float or as the double it widens to.
    /// - Parameter absentMatchesNull: a member that is null in `self` may be absent from `other` (Portico prints
    ///   `null` for unset message fields with emitUnpopulated; protobuf's printers leave them out).
    func difference(from other: JSONValue, absentMatchesNull: Bool = false) -> String? {
        difference(from: other, path: "", isFloat: false, absentMatchesNull: absentMatchesNull)
    }

    private func difference(from other: JSONValue, path: String, isFloat: Bool, absentMatchesNull: Bool) -> String? {
        let here = path.isEmpty ? "the top level" : path
        switch (self, other) {
        case (.null, .null):
            return nil
        case (.bool(let left), .bool(let right)):
            return left == right ? nil : "\(here): \(left) vs \(right)"
        case (.string(let left), .string(let right)):
            return left == right ? nil : "\(here): \(left.debugDescription) vs \(right.debugDescription)"
        case (.number(let left), .number(let right)):
            guard let leftNumber = Double(left), let rightNumber = Double(right) else {
                return "\(here): unreadable number \(left) or \(right)"
            }
            let same =
                isFloat
                ? Float(leftNumber) == Float(rightNumber) && Float(leftNumber).sign == Float(rightNumber).sign
                : leftNumber == rightNumber && leftNumber.sign == rightNumber.sign
            return same ? nil : "\(here): \(left) vs \(right)"
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return "\(here): \(left.count) elements vs \(right.count)" }
            for (index, (leftElement, rightElement)) in zip(left, right).enumerated() {
                if let difference = leftElement.difference(
                    from: rightElement, path: "\(path)[\(index)]", isFloat: isFloat,
                    absentMatchesNull: absentMatchesNull)
                {
                    return difference
                }
            }
            return nil
        case (.object(let left), .object(let right)):
            let rightByKey = Dictionary(right.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            let leftKeys = Set(left.map(\.key))
            for (key, leftMember) in left {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard let rightMember = rightByKey[key] else {
                    if absentMatchesNull, case .null = leftMember { continue }
                    return "\(memberPath): \(leftMember.text) vs absent"
                }
                if let difference = leftMember.difference(
                    from: rightMember, path: memberPath, isFloat: key.lowercased().contains("float"),
                    absentMatchesNull: absentMatchesNull)
                {
                    return difference
                }
            }
            if let extra = right.first(where: { !leftKeys.contains($0.key) }) {
                return "\(path.isEmpty ? extra.key : "\(path).\(extra.key)"): absent vs \(extra.value.text)"
            }
            return nil
        default:
            return "\(here): \(self.text) vs \(other.text)"
        }
    }
}

extension JSONValue {
    fileprivate struct Parser {
        static let simpleEscapes: [UInt8: UInt8] = [
            0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09,
        ]

        let bytes: [UInt8]
        var position = 0

        func error(_ what: String) -> ParseError {
            ParseError(description: "\(what) at byte \(position)")
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 200 else { throw error("nesting too deep") }
            skipWhitespace()
            guard position < bytes.count else { throw error("missing value") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var members: [(key: String, value: JSONValue)] = []
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object(members)
                }
                while true {
                    skipWhitespace()
                    let key = try string()
                    skipWhitespace()
                    try expect(":")
                    members.append((key, try value(depth: depth + 1)))
                    skipWhitespace()
                    if try next(isEither: ",", or: "}") { return .object(members) }
                }
            case UInt8(ascii: "["):
                position += 1
                var elements: [JSONValue] = []
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(elements)
                }
                while true {
                    elements.append(try value(depth: depth + 1))
                    skipWhitespace()
                    if try next(isEither: ",", or: "]") { return .array(elements) }
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            default:
                return .number(try number())
            }
        }

        /// Consumes `first` (returns false) or `second` (returns true).
        mutating func next(isEither first: Unicode.Scalar, or second: Unicode.Scalar) throws(ParseError) -> Bool {
            guard position < bytes.count else { throw error("unterminated value") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: first) { return false }
            if byte == UInt8(ascii: second) { return true }
            throw error("expected \(first) or \(second)")
        }

        mutating func expect(_ character: Unicode.Scalar) throws(ParseError) {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character) else {
                throw error("expected \(character)")
            }
            position += 1
        }

        mutating func literal(_ word: String) throws(ParseError) {
            for byte in word.utf8 {
                guard position < bytes.count, bytes[position] == byte else { throw error("bad literal") }
                position += 1
            }
        }

        mutating func number() throws(ParseError) -> String {
            let start = position
            func digits(_ parser: inout Parser) -> Int {
                let first = parser.position
                while parser.position < parser.bytes.count, (0x30...0x39).contains(parser.bytes[parser.position]) {
                    parser.position += 1
                }
                return parser.position - first
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            let integerStart = position
            let integerDigits = digits(&self)
            guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
                throw error("bad number")
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard digits(&self) > 0 else { throw error("bad fraction") }
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
                {
                    position += 1
                }
                guard digits(&self) > 0 else { throw error("bad exponent") }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func hex4() throws(ParseError) -> UInt16 {
            guard position + 4 <= bytes.count else { throw error("short \\u escape") }
            var value: UInt16 = 0
            for byte in bytes[position..<(position + 4)] {
                guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw error("bad \\u escape") }
                value = value << 4 | UInt16(digit)
            }
            position += 4
            return value
        }

        mutating func string() throws(ParseError) -> String {
            try expect("\"")
            var utf8: [UInt8] = []
            while true {
                guard position < bytes.count else { throw error("unterminated string") }
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8") }
                    return text
                case 0..<0x20:
                    throw error("raw control character in a string")
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { throw error("unterminated escape") }
                    let escape = bytes[position]
                    position += 1
                    if let replacement = Self.simpleEscapes[escape] {
                        utf8.append(replacement)
                        continue
                    }
                    guard escape == UInt8(ascii: "u") else { throw error("bad escape") }
                    let unit = try hex4()
                    var scalar: Unicode.Scalar?
                    if UTF16.isLeadSurrogate(unit) {
                        try literal("\\u")
                        let trail = try hex4()
                        guard UTF16.isTrailSurrogate(trail) else { throw error("lone surrogate") }
                        scalar = Unicode.Scalar((UInt32(unit) - 0xD800) << 10 + (UInt32(trail) - 0xDC00) + 0x10000)
                    } else {
                        scalar = Unicode.Scalar(unit)
                    }
                    guard let scalar else { throw error("lone surrogate") }
                    utf8.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    utf8.append(byte)
                }
            }
        }
    }

    fileprivate struct Writer {
        var random: SeededRandom?
        var forSwiftProtobuf: Bool
        var output = ""

        mutating func space() {
            guard random != nil, random!.chance(0.1) else { return }
            output += random!.pick([" ", "\n", "\t", "\r\n", "   "])
        }

        mutating func write(_ value: JSONValue) {
            space()
            switch value {
            case .null: output += "null"
            case .bool(let flag): output += flag ? "true" : "false"
            case .number(let text): output += text
            case .string(let text): write(string: text)
            case .array(let elements):
                output += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { output += "," }
                    write(element)
                }
                space()
                output += "]"
            case .object(var members):
                if random != nil, random!.chance(0.3) { members.shuffle(using: &random!) }
                output += "{"
                for (index, member) in members.enumerated() {
                    if index > 0 { output += "," }
                    space()
                    write(string: member.key)
                    space()
                    output += ":"
                    write(member.value)
                }
                space()
                output += "}"
            }
            space()
        }

        mutating func write(string: String) {
            output += "\""
            for scalar in string.unicodeScalars {
                let escaped =
                    random != nil && random!.chance(0.04)
                    && !(forSwiftProtobuf && (Self.isBase64(scalar) || scalar.value > 0xFFFF))
                switch scalar {
                case "\"": output += escaped ? unicodeEscape(scalar) : "\\\""
                case "\\": output += escaped ? unicodeEscape(scalar) : "\\\\"
                case "/": output += escaped ? "\\/" : "/"
                case "\n": output += escaped ? unicodeEscape(scalar) : "\\n"
                case "\t": output += escaped ? unicodeEscape(scalar) : "\\t"
                case "\r": output += escaped ? unicodeEscape(scalar) : "\\r"
                case "\u{8}": output += escaped ? unicodeEscape(scalar) : "\\b"
                case "\u{C}": output += escaped ? unicodeEscape(scalar) : "\\f"
                case _ where scalar.value < 0x20 || escaped: output += unicodeEscape(scalar)
                default: output.unicodeScalars.append(scalar)
                }
            }
            output += "\""
        }

        static func isBase64(_ scalar: Unicode.Scalar) -> Bool {
            ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || "+/=-_".unicodeScalars.contains(scalar)
        }

        /// `\uXXXX`, as a surrogate pair beyond the BMP, hex digits in either case.
        mutating func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
            let uppercase = random?.chance(0.5) ?? false
            return String(scalar).utf16.map { unit in
                let hex = String(unit, radix: 16, uppercase: uppercase)
                return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }.joined()
        }
    }
}
