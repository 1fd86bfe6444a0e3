/// The protobuf type of a field, as the transcoder switches over it.
enum FieldKind: UInt8, Sendable {
    case double, float, int64, uint64, int32, fixed64, fixed32, bool, string, bytes, uint32, sfixed32, sfixed64
    case sint32, sint64, enumeration, message, group

    /// The wire type of one (unpacked) value.
    var wireType: WireType {
        switch self {
        case .double, .fixed64, .sfixed64: .fixed64
        case .float, .fixed32, .sfixed32: .fixed32
        case .string, .bytes, .message: .lengthDelimited
        case .group: .startGroup
        case .int64, .uint64, .int32, .bool, .uint32, .sint32, .sint64, .enumeration: .varint
        }
    }

    /// Whether repeated values of this kind may be packed into one length-delimited record.
    var isPackable: Bool { wireType != .lengthDelimited && wireType != .startGroup }

    /// Whether JSON writes the value as a string because it may not fit a double.
    var is64Bit: Bool {
        switch self {
        case .int64, .uint64, .fixed64, .sfixed64, .sint64: true
        default: false
        }
    }
}

/// The protobuf wire types.
enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}
