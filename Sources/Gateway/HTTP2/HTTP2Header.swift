/// One HTTP/2 header field.
///
/// Names are lowercase ASCII as HTTP/2 requires; pseudo-header fields such as `:path` or `:status` are ordinary
/// fields whose name starts with a colon. Fields passed to the HTTP/2 layer are validated before they are sent:
/// upper-case ASCII in a name is lower-cased, and a field whose name or value HTTP/2 forbids (connection-specific
/// fields such as `connection`, a value containing CR, LF or NUL) is left out.
package struct HTTP2Header: Hashable, Sendable {
    /// The field name, lowercase ASCII.
    package var name: String
    /// The field value.
    package var value: String

    /// Creates a header field.
    /// - Parameters:
    ///   - name: The field name (lowercase ASCII; pseudo-headers start with `:`).
    ///   - value: The field value.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
