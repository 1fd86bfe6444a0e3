/// Resolution of dotted field paths (`book.name`) against compiled messages.
enum FieldPath {
    /// The slots of each step, or nil when a step is unknown or a non-final step is not a singular message.
    /// Each step may be a proto name or a JSON name.
    static func resolve(_ path: [String], in message: MessageLayout, table: SchemaTable) -> [Int]? {
        var slots: [Int] = []
        var current = message
        for (position, name) in path.enumerated() {
            guard let slot = current.fieldsByName.lookup(name) else { return nil }
            let field = current.fields[Int(slot)]
            slots.append(Int(slot))
            if position < path.count - 1 {
                guard field.kind == .message, !field.isRepeated else { return nil }
                current = table.messages[field.typeIndex]
            }
        }
        return slots.isEmpty ? nil : slots
    }
}
