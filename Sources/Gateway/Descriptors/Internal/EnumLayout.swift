/// A compiled enum: names by number and numbers by name.
struct EnumLayout: Sendable {
    /// The fully qualified name without a leading dot.
    let fullName: String
    /// Value name → number.
    let numbersByName: NameTable
    /// Number → `"NAME"` (quoted UTF-8), the first name declared for each number.
    let quotedNames: [Int32: [UInt8]]
    /// The first declared value (proto3: zero), printed for an unpopulated field.
    let defaultNumber: Int32
    /// `google.protobuf.NullValue`, which JSON writes as `null`.
    let isNullValue: Bool
}
