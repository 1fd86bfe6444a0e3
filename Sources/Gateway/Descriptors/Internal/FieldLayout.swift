/// A compiled field: everything the transcoders need, precomputed once per descriptor pool.
struct FieldLayout: Sendable {
    /// The field number.
    let number: UInt32
    /// The name in the .proto file (`snake_case`).
    let protoName: String
    /// The JSON name (`json_name`, lowerCamel by default).
    let jsonName: String
    /// `"jsonName":` as UTF-8, ready to append to JSON output.
    let jsonKey: [UInt8]
    /// `"proto_name":` as UTF-8.
    let protoKey: [UInt8]
    /// The value type (for a map: the entry message).
    let kind: FieldKind
    /// Repeated, including maps.
    let isRepeated: Bool
    /// A map field; `typeIndex` is then the entry message.
    let isMap: Bool
    /// Whether a request encoder packs repeated scalars.
    let isPacked: Bool
    /// Whether the field tracks presence (messages, oneof members, proto3 `optional`, proto2 singular).
    let hasPresence: Bool
    /// The index of the real (non-synthetic) oneof in the message, or -1.
    let oneofIndex: Int
    /// The message or enum index in the schema table, or -1 for scalars.
    let typeIndex: Int

    /// The wire tag of one unpacked value.
    var tag: UInt64 { UInt64(number) << 3 | UInt64(kind.wireType.rawValue) }
    /// The wire tag of a length-delimited record of this field (packed values, messages, strings).
    var lengthDelimitedTag: UInt64 { UInt64(number) << 3 | UInt64(WireType.lengthDelimited.rawValue) }
}
