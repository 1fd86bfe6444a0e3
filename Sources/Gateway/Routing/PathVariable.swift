/// A value captured by a path-template variable, to be written into the request message.
package struct PathVariable: Hashable, Sendable {
    /// The field path the variable binds, such as `["book", "name"]`.
    package var fieldPath: [String]
    /// The captured text, percent-decoded; a variable spanning several segments keeps `%2F` encoded.
    package var value: String

    package init(fieldPath: [String], value: String) {
        self.fieldPath = fieldPath
        self.value = value
    }
}
