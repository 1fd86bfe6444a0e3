/// One scalar value to convert to a field's type: a JSON token, or text from a path variable or query
/// parameter (which also allows enum numbers and bools as text).
enum ScalarInput {
    /// The unescaped UTF-8 content of a JSON string.
    case string(UnsafeRawBufferPointer)
    /// The text of a JSON number (already checked against the JSON grammar).
    case number(UnsafeRawBufferPointer)
    /// `true` or `false`.
    case bool(Bool)
    /// A path variable or query parameter value (percent-decoded).
    case text(UnsafeRawBufferPointer)
}
