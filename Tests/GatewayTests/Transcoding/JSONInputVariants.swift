import Foundation
import SwiftProtobuf

/// Rewrites the JSON of a message into other spellings that the proto3 JSON mapping accepts on input, at
/// random: proto field names for JSON names (and back), 64-bit integers as numbers where a double holds them
/// exactly, 32-bit integers as strings or with a fraction or exponent, floating-point numbers as strings,
/// enums by number (and back), URL-safe and unpadded base64, and `null` for absent fields. The schema comes
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
        if Self.specialJSON.contains(typeName) { return value }
        return vary(value, as: typeName)
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
