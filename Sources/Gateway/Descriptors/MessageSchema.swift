/// A message type compiled for transcoding. A handle into the descriptor pool's schema table: cheap to keep,
/// and nested (even recursive) types are reached through it.
package final class MessageSchema: Sendable {
    /// A field as seen by code outside the transcoder (routing, documentation).
    package struct Field: Sendable {
        /// The name in the .proto file.
        package var name: String
        /// The JSON name (`json_name` or lowerCamel).
        package var jsonName: String
        /// The field number.
        package var number: Int
        /// Repeated (maps included).
        package var isRepeated: Bool
        /// A map field.
        package var isMap: Bool
        /// The message type of a message field (for a map: the entry type).
        package var messageType: MessageSchema?
        /// The fully qualified enum name of an enum field.
        package var enumName: String?
    }

    let table: SchemaTable
    let index: Int

    init(table: SchemaTable, index: Int) {
        self.table = table
        self.index = index
    }

    var layout: MessageLayout { table.messages[index] }

    /// The fully qualified name, e.g. `pkg.Book`.
    package var fullName: String { layout.fullName }

    /// The fields in ascending number order.
    package var fields: [Field] { layout.fields.map(makeField) }

    /// The field with this proto name or JSON name.
    package func field(named name: String) -> Field? {
        guard let slot = layout.fieldsByName.lookup(name) else { return nil }
        return makeField(layout.fields[Int(slot)])
    }

    private func makeField(_ field: FieldLayout) -> Field {
        Field(
            name: field.protoName,
            jsonName: field.jsonName,
            number: Int(field.number),
            isRepeated: field.isRepeated,
            isMap: field.isMap,
            messageType: field.kind == .message ? MessageSchema(table: table, index: field.typeIndex) : nil,
            enumName: field.kind == .enumeration ? table.enums[field.typeIndex].fullName : nil
        )
    }
}
