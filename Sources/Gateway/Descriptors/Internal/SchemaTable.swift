/// Every compiled message and enum of a descriptor pool. Messages and fields refer to other types by index
/// into these arrays, so recursive types need no reference cycles.
final class SchemaTable: Sendable {
    let messages: [MessageLayout]
    let enums: [EnumLayout]
    /// Fully qualified message name (no leading dot) → index into `messages`.
    let messageIndices: [String: Int]

    init(messages: [MessageLayout], enums: [EnumLayout], messageIndices: [String: Int]) {
        self.messages = messages
        self.enums = enums
        self.messageIndices = messageIndices
    }
}
