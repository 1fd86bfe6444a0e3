import Foundation
import SwiftProtobuf

/// Rewrites the JSON of a message into other spellings that the proto3 JSON mapping accepts on input, at
/// random: proto field names for JSON names (and back), 64-bit integers as numbers where a double holds them
/// exactly, 32-bit integers as strings or with a fraction or exponent, floating-point numbers as strings,
/// enums by number (and back), URL-safe and unpadded base64, `null` for absent fields, Timestamps at other
/// UTC offsets, fractions of seconds with any number of digits. The schema comes
/// from transcoding_test.pb as SwiftProtobuf reads descriptors, not from Portico.
struct JSONInputVariants {
    typealias Field = Google_Protobuf_FieldDescriptorProto

    var random: SeededRandom

    /// The messages and enums of the schema by full name (`portico.test.Scalars`), map entries included.
    private static let schema:
        (
            messages: [String: Google_Protobuf_DescriptorProto],
            enums: [String: Google_Protobuf_EnumDescriptorProto]
        ) = {
            let bytes = try! TranscodingFixtures.resource("transcoding_test.pb")
            let set = try! Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
            var messages: [String: Google_Protobuf_DescriptorProto] = [:]
            var enums: [String: Google_Protobuf_EnumDescriptorProto] = [:]
            func add(_ message: Google_Protobuf_DescriptorProto, scope: String) {
                let name = scope + "." + message.name
                messages[String(name.dropFirst())] = message
                for nested in message.nestedType { add(nested, scope: name) }
                for type in message.enumType { enums[String((name + "." + type.name).dropFirst())] = type }
            }
            for file in set.file {
                let scope = file.package.isEmpty ? "" : "." + file.package
                for message in file.messageType { add(message, scope: scope) }
                for type in file.enumType { enums[String((scope + "." + type.name).dropFirst())] = type }
            }
            return (messages, enums)
        }()

    /// Wrappers by the scalar type they wrap.
    private static let wrappers: [String: Field.TypeEnum] = [
        "google.protobuf.Int32Value": .int32, "google.protobuf.UInt32Value": .uint32,
        "google.protobuf.Int64Value": .int64, "google.protobuf.UInt64Value": .uint64,
        "google.protobuf.FloatValue": .float, "google.protobuf.DoubleValue": .double,
        "google.protobuf.BoolValue": .bool, "google.protobuf.StringValue": .string,
        "google.protobuf.BytesValue": .bytes,
    ]

    /// Well-known types whose JSON is not an object of their fields; left as printed except wrappers.
    private static let specialJSON: Set<String> = [
        "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask",
        "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
    ]

    /// A variant of `json`, the JSON of a message of type `typeName`.
    mutating func vary(_ json: JSONValue, as typeName: String) -> JSONValue {
        guard case .object(let members) = json, let message = Self.schema.messages[typeName] else { return json }
        if typeName == "google.protobuf.Any" { return varyAny(members) }
        var result: [(key: String, value: JSONValue)] = []
        for (key, value) in members {
            guard let field = message.field.first(where: { $0.jsonName == key || $0.name == key }) else {
                result.append((key, value))
                continue
            }
            let name = random.chance(0.3) ? (key == field.name ? field.jsonName : field.name) : key
            result.append((name, vary(value, field: field)))
        }
        for field in message.field where random.chance(0.04) && mayBeNull(field) {
            if !members.contains(where: { $0.key == field.jsonName || $0.key == field.name }) {
                result.append((random.chance(0.5) ? field.jsonName : field.name, .null))
            }
        }
        return .object(result)
    }

    /// Whether `null` for an absent field means "absent" in every implementation: not for a `Value` (whose
    /// `null` is a value), nor a oneof member (implementations differ on `null` next to a set member).
    private func mayBeNull(_ field: Field) -> Bool {
        field.typeName != ".google.protobuf.Value" && (!field.hasOneofIndex || field.proto3Optional)
    }

    private mutating func varyAny(_ members: [(key: String, value: JSONValue)]) -> JSONValue {
        guard case .string(let url) = members.first(where: { $0.key == "@type" })?.value,
            let slash = url.lastIndex(of: "/")
        else { return .object(members) }
        let typeName = String(url[url.index(after: slash)...])
        if Self.specialJSON.contains(typeName) || Self.wrappers[typeName] != nil {
            return .object(
                members.map { member in
                    member.key == "value" ? (member.key, varySingular(member.value, typeName: typeName)) : member
                })
        }
        let fields = members.filter { $0.key != "@type" }
        guard case .object(let varied) = vary(.object(fields), as: typeName) else { return .object(members) }
        var result = varied
        // `@type` anywhere among the members.
        result.insert(("@type", .string(url)), at: Int.random(in: 0...result.count, using: &random))
        return .object(result)
    }

    private mutating func vary(_ value: JSONValue, field: Field) -> JSONValue {
        let typeName = String(field.typeName.dropFirst())
        if let entry = Self.schema.messages[typeName], entry.options.mapEntry {
            guard case .object(let entries) = value, let valueField = entry.field.first(where: { $0.number == 2 })
            else { return value }
            return .object(entries.map { ($0.key, vary($0.value, field: valueField)) })
        }
        if field.label == .repeated, case .array(let elements) = value {
            return .array(elements.map { vary($0, type: field.type, typeName: typeName) })
        }
        return vary(value, type: field.type, typeName: typeName)
    }

    private mutating func vary(_ value: JSONValue, type: Field.TypeEnum, typeName: String) -> JSONValue {
        switch type {
        case .message: return varySingular(value, typeName: typeName)
        case .enum: return varyEnum(value, typeName: typeName)
        default: return varyScalar(value, type: type)
        }
    }

    private mutating func varySingular(_ value: JSONValue, typeName: String) -> JSONValue {
        if let wrapped = Self.wrappers[typeName] { return varyScalar(value, type: wrapped) }
        switch (typeName, value) {
        case ("google.protobuf.Timestamp", .string(let text)): return .string(varyTimestamp(text))
        case ("google.protobuf.Duration", .string(let text)): return .string(varyFraction(text, before: "s"))
        default: break
        }
        if Self.specialJSON.contains(typeName) { return value }
        return vary(value, as: typeName)
    }

    /// The fraction of seconds before `suffix` with 1 to 9 digits instead of 0, 3, 6 or 9: trailing zeros
    /// dropped or added.
    private mutating func varyFraction(_ text: String, before suffix: Character) -> String {
        guard random.chance(0.5), let end = text.lastIndex(of: suffix) else { return text }
        var seconds = String(text[..<end])
        let rest = text[end...]
        if let dot = seconds.firstIndex(of: ".") {
            if random.chance(0.5) {
                while seconds.last == "0", seconds.index(after: dot) < seconds.index(before: seconds.endIndex) {
                    seconds.removeLast()
                }
            } else {
                seconds += String(repeating: "0", count: 9 - seconds.distance(from: dot, to: seconds.endIndex) + 1)
            }
        } else if random.chance(0.5) {
            seconds += "." + String(repeating: "0", count: Int.random(in: 1...9, using: &random))
        }
        return seconds + rest
    }

    /// The same instant in another fraction spelling, and at another UTC offset (`+05:30`, `-08:00`, ...)
    /// when its local time stays within years 1-9999.
    private mutating func varyTimestamp(_ text: String) -> String {
        let varied = varyFraction(text, before: "Z")
        guard random.chance(0.4), varied.hasSuffix("Z"), varied.count >= 20,
            let timestamp = try? Google_Protobuf_Timestamp(jsonString: "\"\(text)\"")
        else { return varied }
        // Not beyond ±13:59: SwiftProtobuf refuses offsets of 14 hours or more (RFC 3339 allows up to 23:59).
        let offset = random.pick([330, -480, 825, -720, 0, 45, -1, -839])
        let local = timestamp.seconds + Int64(offset) * 60
        guard (-62_135_596_800...253_402_300_799).contains(local) else { return varied }
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        let secondOfDay = local - days * 86_400
        func digits(_ value: Int64, _ count: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, count - text.count)) + text
        }
        let fraction = varied.firstIndex(of: ".").map { String(varied[$0..<varied.index(before: varied.endIndex)]) }
        let zone = offset < 0 ? "-" : "+"
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))T\(digits(secondOfDay / 3600, 2)):"
            + "\(digits(secondOfDay / 60 % 60, 2)):\(digits(secondOfDay % 60, 2))\(fraction ?? "")"
            + "\(zone)\(digits(Int64(abs(offset) / 60), 2)):\(digits(Int64(abs(offset) % 60), 2))"
    }

    /// Year, month and day of a day count since 1970-01-01 in the proleptic Gregorian calendar (Howard
    /// Hinnant's `civil_from_days`), as RFC 3339 counts them before 1582 too.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private mutating func varyEnum(_ value: JSONValue, typeName: String) -> JSONValue {
        guard let type = Self.schema.enums[typeName], typeName != "google.protobuf.NullValue", random.chance(0.5)
        else { return value }
        switch value {
        case .string(let name):
            return type.value.first { $0.name == name }.map { .number(String($0.number)) } ?? value
        case .number(let text):
            return type.value.first { String($0.number) == text }.map { .string($0.name) } ?? value
        default:
            return value
        }
    }

    private mutating func varyScalar(_ value: JSONValue, type: Field.TypeEnum) -> JSONValue {
        guard random.chance(0.5) else { return value }
        switch (type, value) {
        case (.int32, .number(let text)), (.sint32, .number(let text)), (.sfixed32, .number(let text)),
            (.uint32, .number(let text)), (.fixed32, .number(let text)):
            return random.pick([.string(text), .number(text + ".0"), .number(text + "e0"), .string(text + ".0")])
        case (.int64, .string(let text)), (.sint64, .string(let text)), (.sfixed64, .string(let text)),
            (.uint64, .string(let text)), (.fixed64, .string(let text)):
            // A JSON number is a double: exact up to 2^53.
            let magnitude = text.hasPrefix("-") ? UInt64(text.dropFirst()) : UInt64(text)
            guard let magnitude, magnitude <= 1 << 53 else { return value }
            return random.pick([.number(text), .number(text + ".0")])
        case (.double, .number(let text)):
            return random.chance(0.5) ? .string(text) : .number(Double(text).map { "\($0)" } ?? text)
        case (.float, .number(let text)):
            return random.chance(0.5) ? .string(text) : .number(Float(text).map { "\($0)" } ?? text)
        case (.bytes, .string(let text)):
            var base64 = text
            if random.chance(0.5) {
                base64 = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            }
            if random.chance(0.5) { base64 = base64.replacingOccurrences(of: "=", with: "") }
            return .string(base64)
        default:
            return value
        }
    }
}
