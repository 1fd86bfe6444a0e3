/// A path template that cannot be parsed: what is wrong, at which byte offset of which template.
package struct PathTemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem; new codes may be added.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package var description: String

        private init(_ description: String) {
            self.description = description
        }

        /// The template does not start with `/`.
        package static let missingLeadingSlash = Code("missing leading slash")
        /// Two slashes in a row, a trailing slash, an empty literal before a verb, or `{x=}`.
        package static let emptySegment = Code("empty segment")
        /// A byte that is not allowed where it appears (e.g. a space, `?`, `#`, a non-ASCII byte).
        package static let invalidCharacter = Code("invalid character")
        /// A `%` not followed by two hex digits, or escapes that decode to invalid UTF-8.
        package static let invalidPercentEncoding = Code("invalid percent encoding")
        /// A field path that is not `IDENT { "." IDENT }`.
        package static let invalidFieldPath = Code("invalid field path")
        /// A `{` inside a variable.
        package static let nestedVariable = Code("nested variable")
        /// A `{` without its `}`.
        package static let unterminatedVariable = Code("unterminated variable")
        /// A variable that is only part of a segment, such as `a{b}`.
        package static let misplacedVariable = Code("misplaced variable")
        /// A second `**`, a `*` or `**` after `**`, or a `*` inside a literal.
        package static let misplacedWildcard = Code("misplaced wildcard")
        /// An empty verb, or one holding `:` or `/`.
        package static let invalidVerb = Code("invalid verb")
        /// Two variables bind the same field, or a field and one of its subfields.
        package static let duplicateFieldPath = Code("duplicate field path")
    }

    /// The kind of problem.
    package var code: Code
    /// The template as written.
    package var template: String
    /// The UTF-8 byte offset in ``template`` where the problem is.
    package var offset: Int
    /// What is wrong, in words.
    package var message: String

    package init(code: Code, template: String, offset: Int, message: String) {
        self.code = code
        self.template = template
        self.offset = offset
        self.message = message
    }

    package var description: String {
        "invalid path template \"\(template)\" at offset \(offset): \(message)"
    }
}
