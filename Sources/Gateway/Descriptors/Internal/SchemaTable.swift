/// Every compiled message and enum of a descriptor pool. Messages and fields refer to other types by index
/// into these arrays, so recursive types need no reference cycles.
final class SchemaTable: Sendable {
    let messages: [MessageLayout]
    let enums: [EnumLayout]
    /// Fully qualified message name (no leading dot) → index into `messages`.
    let messageIndices: [String: Int]
    /// Where an Any's type is looked up when this table lacks it: every backend's types in the config.
    let directory: TypeDirectory?

    init(messages: [MessageLayout], enums: [EnumLayout], messageIndices: [String: Int], directory: TypeDirectory?) {
        self.messages = messages
        self.enums = enums
        self.messageIndices = messageIndices
        self.directory = directory
    }

    /// The table and index of message type `name`: this table's own, else another backend's, else one of the
    /// google.rpc error types.
    func resolveAnyType(_ name: String) -> (table: SchemaTable, index: Int)? {
        if let index = messageIndices[name] { return (self, index) }
        return directory?.resolve(name) ?? ErrorDetailTypes.message(named: name)
    }
}
