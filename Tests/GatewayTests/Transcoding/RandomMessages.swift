import Foundation
import SwiftProtobuf

/// Random `portico.test.Everything` messages for the differential tests, reaching every field kind of the
/// schema: scalars at their extremes, NaN, infinities and negative zero, strings beyond the BMP, enum numbers
/// the enum does not declare, repeated fields packed and unpacked, maps of every key type, a recursive tree,
/// oneofs and proto3 `optional` presence, and well-known types within their legal JSON ranges.
struct RandomMessages {
    var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    /// Every type an `Any` of the generated messages may pack, registered so that SwiftProtobuf can print an
    /// `Any` it parsed from bytes.
    static let packableTypes: [any SwiftProtobuf.Message.Type] = {
        let types: [any SwiftProtobuf.Message.Type] = [
            Portico_Test_Scalars.self, Portico_Test_Tree.self, Portico_Test_Choices.self, Portico_Test_Named.self,
            Google_Protobuf_Timestamp.self, Google_Protobuf_Duration.self, Google_Protobuf_Int64Value.self,
            Google_Protobuf_StringValue.self, Google_Protobuf_FieldMask.self, Google_Protobuf_Struct.self,
            Google_Protobuf_Value.self, Google_Protobuf_Empty.self,
        ]
        for type in types { Google_Protobuf_Any.register(messageType: type) }
        return types
    }()

    mutating func everything() -> Portico_Test_Everything {
        var message = Portico_Test_Everything()
        // About three parts of seven a message: small messages, so that thousands run in seconds.
        if random.chance(0.5) { message.scalars = scalars() }
        if random.chance(0.35) { message.repeateds = repeateds() }
        if random.chance(0.35) { message.maps = maps() }
        if random.chance(0.35) { message.tree = tree(depth: 0) }
        if random.chance(0.5) { message.choices = choices() }
        if random.chance(0.3) { message.named = named() }
        if random.chance(0.5) { message.wellKnown = wellKnown() }
        return message
    }

    // MARK: scalars

    mutating func double() -> Double {
        switch random.next() % 12 {
        case 0: return random.pick([0, -0.0, .nan, .infinity, -.infinity])
        case 1: return random.pick([.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude])
        case 2: return random.pick([.leastNormalMagnitude, 1e21, 1e-7, 9_007_199_254_740_994, 0.1, -1e100])
        case 3, 4:
            // Any finite bit pattern (subnormals and huge exponents included); NaN payloads are not kept by JSON.
            let value = Double(bitPattern: random.next())
            return value.isNaN ? .nan : value
        case 5, 6: return Double(Int32.random(in: -1000...1000, using: &random))
        default: return Double.random(in: -1e6...1e6, using: &random)
        }
    }

    mutating func float() -> Float {
        switch random.next() % 10 {
        case 0: return random.pick([0, -0.0, .nan, .infinity, -.infinity])
        case 1: return random.pick([.greatestFiniteMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 0.1])
        case 2, 3:
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
            return value.isNaN ? .nan : value
        case 4: return Float(Int16.random(in: -100...100, using: &random))
        default: return Float.random(in: -1e5...1e5, using: &random)
        }
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) -> T {
        switch random.next() % 8 {
        case 0: return random.pick([T.min, T.max, 0, 1])
        case 1: return T(truncatingIfNeeded: random.pick([-1, 1 << 53, (1 << 53) + 1, -(1 << 53) - 1] as [Int64]))
        case 2, 3: return T(truncatingIfNeeded: Int8.random(in: .min ... .max, using: &random))
        default: return T(truncatingIfNeeded: random.next())
        }
    }

    /// Characters that printers must escape or may get wrong: controls, quotes, `/`, U+2028, a BOM, letters
    /// beyond Latin-1 and characters beyond the BMP (surrogate pairs in `\u` escapes).
    private static let alphabet: [Unicode.Scalar] = [
        "a", "b", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\n", "\t", "\r", "\u{8}",
        "\u{C}", "é", "ß", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFF}", "中", "문", "😀", "\u{10FFFF}", "𝄞",
        "<", ">", "&", "'",
    ]

    mutating func string(maxLength: Int = 10) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &random) { scalars.append(random.pick(Self.alphabet)) }
        return String(scalars)
    }

    mutating func bytes() -> Data {
        Data((0..<Int.random(in: 0...12, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
    }

    /// Mostly declared values (including the negative one), sometimes a number the enum does not declare.
    mutating func color() -> Portico_Test_Color {
        let number =
            random.chance(0.8)
            ? random.pick([0, 1, 2, -3]) : random.pick([3, 7, -1, 1000, Int(Int32.max), Int(Int32.min)])
        return Portico_Test_Color(rawValue: number)!
    }

    mutating func scalars() -> Portico_Test_Scalars {
        var message = Portico_Test_Scalars()
        if random.chance(0.5) { message.fDouble = double() }
        if random.chance(0.5) { message.fFloat = float() }
        if random.chance(0.5) { message.fInt64 = integer() }
        if random.chance(0.5) { message.fUint64 = integer() }
        if random.chance(0.5) { message.fInt32 = integer() }
        if random.chance(0.5) { message.fFixed64 = integer() }
        if random.chance(0.5) { message.fFixed32 = integer() }
        if random.chance(0.5) { message.fBool = random.chance(0.5) }
        if random.chance(0.5) { message.fString = string() }
        if random.chance(0.5) { message.fBytes = bytes() }
        if random.chance(0.5) { message.fUint32 = integer() }
        if random.chance(0.5) { message.fSfixed32 = integer() }
        if random.chance(0.5) { message.fSfixed64 = integer() }
        if random.chance(0.5) { message.fSint32 = integer() }
        if random.chance(0.5) { message.fSint64 = integer() }
        if random.chance(0.5) { message.fColor = color() }
        return message
    }

    // MARK: repeated fields and maps

    mutating func list<T>(maxCount: Int = 3, _ element: (inout RandomMessages) -> T) -> [T] {
        let count = random.chance(0.5) ? 0 : Int.random(in: 1...maxCount, using: &random)
        return (0..<count).map { _ in element(&self) }
    }

    mutating func repeateds() -> Portico_Test_Repeateds {
        var message = Portico_Test_Repeateds()
        message.rDouble = list { $0.double() }
        message.rFloat = list { $0.float() }
        message.rInt64 = list { $0.integer() }
        message.rUint64 = list { $0.integer() }
        message.rInt32 = list { $0.integer() }
        message.rFixed64 = list { $0.integer() }
        message.rFixed32 = list { $0.integer() }
        message.rBool = list { $0.random.chance(0.5) }
        message.rString = list { $0.string() }
        message.rBytes = list { $0.bytes() }
        message.rUint32 = list { $0.integer() }
        message.rSfixed32 = list { $0.integer() }
        message.rSfixed64 = list { $0.integer() }
        message.rSint32 = list { $0.integer() }
        message.rSint64 = list { $0.integer() }
        message.rColor = list { $0.color() }
        message.rUnpacked = list { $0.integer() }
        message.rMessage = list(maxCount: 2) { $0.scalars() }
        return message
    }

    mutating func map<Key: Hashable, Value>(
        _ key: (inout RandomMessages) -> Key, _ value: (inout RandomMessages) -> Value
    ) -> [Key: Value] {
        var map: [Key: Value] = [:]
        for _ in 0..<(random.chance(0.5) ? 0 : Int.random(in: 1...2, using: &random)) {
            map[key(&self)] = value(&self)
        }
        return map
    }

    mutating func maps() -> Portico_Test_Maps {
        var message = Portico_Test_Maps()
        message.stringToString = map({ $0.string() }, { $0.string() })
        message.int32ToInt64 = map({ $0.integer() }, { $0.integer() })
        message.int64ToMessage = map({ $0.integer() }, { $0.scalars() })
        message.boolToColor = map({ $0.random.chance(0.5) }, { $0.color() })
        message.uint32ToBytes = map({ $0.integer() }, { $0.bytes() })
        message.sint64ToDouble = map({ $0.integer() }, { $0.double() })
        message.fixed32ToString = map({ $0.integer() }, { $0.string() })
        message.stringToTree = map({ $0.string(maxLength: 3) }, { $0.tree(depth: 2) })
        return message
    }

    // MARK: messages

    /// A tree at most 4 levels deep below `depth`.
    mutating func tree(depth: Int) -> Portico_Test_Tree {
        var message = Portico_Test_Tree()
        if random.chance(0.7) { message.label = string(maxLength: 4) }
        if random.chance(0.3) { message.weight = integer() }
        guard depth < 4 else { return message }
        if random.chance(0.4) { message.left = tree(depth: depth + 1) }
        if random.chance(0.4) { message.children = list(maxCount: 2) { $0.tree(depth: depth + 1) } }
        return message
    }

    mutating func choices() -> Portico_Test_Choices {
        var message = Portico_Test_Choices()
        switch random.next() % 5 {
        case 0: message.choiceString = string()
        case 1: message.choiceInt = integer()
        case 2: message.choiceMessage = random.chance(0.3) ? Portico_Test_Scalars() : scalars()
        case 3: message.choiceColor = color()
        default: break
        }
        // Present optional fields hold their zero value half of the time: presence is what is printed.
        if random.chance(0.5) { message.optInt = random.chance(0.5) ? 0 : integer() }
        if random.chance(0.5) { message.optString = random.chance(0.5) ? "" : string() }
        if random.chance(0.5) { message.optColor = random.chance(0.5) ? .unspecified : color() }
        if random.chance(0.5) { message.optBool = random.chance(0.5) }
        if random.chance(0.5) { message.plain = string() }
        return message
    }

    mutating func named() -> Portico_Test_Named {
        var message = Portico_Test_Named()
        if random.chance(0.6) { message.customJson = string() }
        if random.chance(0.6) { message.snakeCaseField = integer() }
        if random.chance(0.6) { message.fieldWith2Digits = integer() }
        return message
    }

    // MARK: well-known types

    /// 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999999Z, nanoseconds of every precision.
    mutating func timestamp() -> Google_Protobuf_Timestamp {
        var message = Google_Protobuf_Timestamp()
        message.seconds =
            random.chance(0.1)
            ? random.pick([-62_135_596_800, 253_402_300_799, 0, -1])
            : Int64.random(in: -62_135_596_800...253_402_300_799, using: &random)
        message.nanos = nanos()
        return message
    }

    /// Nanoseconds printed with 0, 3, 6 or 9 digits.
    mutating func nanos() -> Int32 {
        switch random.next() % 5 {
        case 0: return 0
        case 1: return Int32.random(in: 0...999, using: &random) * 1_000_000
        case 2: return Int32.random(in: 0...999_999, using: &random) * 1_000
        case 3: return random.pick([1, 999_999_999, 100_000_000, 10])
        default: return Int32.random(in: 0...999_999_999, using: &random)
        }
    }

    /// ±315,576,000,000 s (10,000 years); seconds and nanoseconds share their sign.
    mutating func duration() -> Google_Protobuf_Duration {
        var message = Google_Protobuf_Duration()
        message.seconds =
            random.chance(0.1)
            ? random.pick([315_576_000_000, -315_576_000_000, 0, 1, -1])
            : Int64.random(in: -315_576_000_000...315_576_000_000, using: &random)
        let nanos = abs(self.nanos())
        let negative = message.seconds < 0 || (message.seconds == 0 && random.chance(0.5))
        message.nanos = abs(message.seconds) == 315_576_000_000 ? 0 : (negative ? -nanos : nanos)
        return message
    }

    /// Paths of lower_snake segments (a letter after each underscore): the ones that have a JSON spelling.
    mutating func fieldMask() -> Google_Protobuf_FieldMask {
        let words = ["a", "b_c", "name", "update_mask", "x9", "de_f_g", "tree"]
        var message = Google_Protobuf_FieldMask()
        message.paths = list(maxCount: 3) { maker in
            maker.list(maxCount: 3) { $0.random.pick(words) }.joined(separator: ".")
        }.filter { !$0.isEmpty }
        return message
    }

    /// A `Value` with its kind set (an unset kind has no JSON form), finite numbers only (NaN and infinities
    /// have none either), nested at most `depth` levels further.
    mutating func value(depth: Int) -> Google_Protobuf_Value {
        var value = Google_Protobuf_Value()
        switch random.next() % (depth > 0 ? 6 : 4) {
        case 0: value.nullValue = .nullValue
        case 1:
            // Negative zero is left out: Python reads a JSON -0 as the integer 0, a positive zero.
            let number = double()
            value.numberValue = number.isFinite && number != 0 ? number : 1
        case 2: value.stringValue = string()
        case 3: value.boolValue = random.chance(0.5)
        case 4: value.structValue = structValue(depth: depth - 1)
        default: value.listValue = listValue(depth: depth - 1)
        }
        return value
    }

    mutating func structValue(depth: Int) -> Google_Protobuf_Struct {
        var message = Google_Protobuf_Struct()
        message.fields = map({ $0.string(maxLength: 4) }, { $0.value(depth: depth) })
        return message
    }

    mutating func listValue(depth: Int) -> Google_Protobuf_ListValue {
        var message = Google_Protobuf_ListValue()
        message.values = list(maxCount: 3) { $0.value(depth: depth) }
        return message
    }

    /// An `Any` packing a message of the schema or a well-known type.
    mutating func any() -> Google_Protobuf_Any {
        let packed: any SwiftProtobuf.Message
        switch random.next() % 12 {
        case 0: packed = scalars()
        case 1: packed = tree(depth: 2)
        case 2: packed = choices()
        case 3: packed = named()
        case 4: packed = timestamp()
        case 5: packed = duration()
        case 6: packed = Google_Protobuf_Int64Value(integer())
        case 7: packed = Google_Protobuf_StringValue(string())
        case 8: packed = fieldMask()
        case 9: packed = structValue(depth: 1)
        case 10: packed = value(depth: 1)
        default: packed = Google_Protobuf_Empty()
        }
        // Only a message with missing required fields fails to pack; proto3 has none.
        return try! Google_Protobuf_Any(message: packed, partial: false)
    }

    mutating func wellKnown() -> Portico_Test_WellKnown {
        var message = Portico_Test_WellKnown()
        if random.chance(0.4) { message.timestamp = timestamp() }
        if random.chance(0.4) { message.duration = duration() }
        if random.chance(0.3) { message.int32Value = .init(random.chance(0.3) ? 0 : integer()) }
        if random.chance(0.3) { message.int64Value = .init(integer()) }
        if random.chance(0.3) { message.uint32Value = .init(integer()) }
        if random.chance(0.3) { message.uint64Value = .init(integer()) }
        if random.chance(0.3) { message.floatValue = .init(float()) }
        if random.chance(0.3) { message.doubleValue = .init(double()) }
        if random.chance(0.3) { message.boolValue = .init(random.chance(0.5)) }
        if random.chance(0.3) { message.stringValue = .init(string()) }
        if random.chance(0.3) { message.bytesValue = .init(bytes()) }
        if random.chance(0.2) { message.empty = .init() }
        if random.chance(0.3) { message.fieldMask = fieldMask() }
        if random.chance(0.3) { message.struct = structValue(depth: 2) }
        if random.chance(0.3) { message.value = value(depth: 2) }
        if random.chance(0.3) { message.listValue = listValue(depth: 2) }
        message.timestamps = list(maxCount: 2) { $0.timestamp() }
        message.values = map({ $0.string(maxLength: 3) }, { $0.value(depth: 1) })
        message.anys = list(maxCount: 2) { $0.any() }
        return message
    }
}
