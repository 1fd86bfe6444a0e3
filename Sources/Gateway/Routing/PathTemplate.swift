/// A parsed `google.api.http` path template such as `/v1/{name=shelves/*/books/*}:publish`.
///
/// The grammar is the one of `google/api/http.proto`:
/// ```
/// Template = "/" Segments [ ":" Verb ] ;
/// Segments = Segment { "/" Segment } ;
/// Segment  = "*" | "**" | LITERAL | Variable ;
/// Variable = "{" FieldPath [ "=" Segments ] "}" ;
/// FieldPath = IDENT { "." IDENT } ;
/// ```
/// with these rules, shared with grpc-gateway and Envoy's transcoder:
/// - `{x}` means `{x=*}`; variables do not nest; `IDENT` is `[A-Za-z_][A-Za-z0-9_]*`.
/// - `*` matches one segment, `**` zero or more; `**` appears at most once and only literals may follow it.
/// - Literals are RFC 3986 `pchar`s; percent escapes are checked and decoded, so `%41` and `A` are the same
///   literal. A `*` inside a literal (`/v1/a*`) is rejected because it reads as a glob; write `%2A`.
/// - A `:` in the last segment (outside braces) starts the verb: after a variable or wildcard the first one,
///   in a literal the last one (`/v1/a:b:c` is the literal `a:b` with the verb `c`). A verb cannot contain
///   `:` because requests are split at their last colon.
/// - Two variables may not bind the same field, nor a field and one of its subfields.
///
/// The literal form of unannotated methods, `/package.Service/Method`, is an ordinary literal template.
package struct PathTemplate: Hashable, Sendable, CustomStringConvertible {
    /// One segment after variables are flattened into the segments they capture.
    package enum Segment: Hashable, Sendable {
        /// A literal segment, percent-decoded.
        case literal(String)
        /// `*`: exactly one non-empty segment.
        case singleWildcard
        /// `**`: zero or more segments.
        case multiWildcard
    }

    /// A variable: the request field it binds and the segments whose text becomes its value.
    package struct Variable: Hashable, Sendable {
        /// The field path, such as `["book", "name"]` for `{book.name=shelves/*/books/*}`.
        package var fieldPath: [String]
        /// The indices in ``PathTemplate/segments`` the variable captures.
        package var segmentRange: Range<Int>

        package init(fieldPath: [String], segmentRange: Range<Int>) {
            self.fieldPath = fieldPath
            self.segmentRange = segmentRange
        }
    }

    /// The segments, with variables replaced by the segments they capture.
    package var segments: [Segment]
    /// The variables in the order they appear.
    package var variables: [Variable]
    /// The custom verb without its colon, percent-decoded, or `nil`.
    package var verb: String?
    /// The template exactly as written.
    package var description: String

    /// Parses a template.
    ///
    /// - Parameter text: the template, such as `/v1/{name=shelves/*}/books`.
    /// - Throws: ``PathTemplateError`` naming the problem and its byte offset in `text`.
    package init(parsing text: String) throws(PathTemplateError) {
        var parser = PathTemplateParser(text)
        self = try parser.parse()
    }

    package init(segments: [Segment], variables: [Variable], verb: String?, description: String) {
        self.segments = segments
        self.variables = variables
        self.verb = verb
        self.description = description
    }

    /// The index of the `**` segment, if there is one.
    package var multiWildcardIndex: Int? {
        segments.firstIndex(of: .multiWildcard)
    }
}
