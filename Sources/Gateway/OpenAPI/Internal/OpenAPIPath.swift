/// A route's path template as an OpenAPI path and its path parameters.
///
/// A template variable may capture several segments (`{name=shelves/*/books/*}`), but an OpenAPI path
/// parameter cannot contain `/`: clients escape it as `%2F`, which Portico (like grpc-gateway and Envoy) does not
/// take for a segment separator. So the variable's literals stay in the path and each wildcard is a parameter of
/// its own: `/v1/shelves/{name_1}/books/{name_2}`, and the gateway sets `name` to
/// `shelves/{name_1}/books/{name_2}`. A variable of one wildcard is one parameter named by its field path, `_`
/// for `.` (`book_name`). A `**` is documented as one segment (the gateway also accepts more). Wildcards outside
/// variables bind nothing and are parameters `wildcard_1`, ….
struct OpenAPIPath {
    /// One segment: a literal, or the parameter at this index.
    enum Piece: Equatable {
        case literal(String)
        case parameter(Int)
    }

    /// One path parameter.
    struct Parameter {
        /// The name in the path (`{name}`).
        var name: String
        /// The variable's field path, nil for a wildcard outside variables.
        var fieldPath: [String]?
        /// Whether the parameter is the variable's whole value (one wildcard, no literals).
        var isWholeValue: Bool
        /// The pieces of the parameter's variable.
        var variablePieces: Range<Int>
        /// Whether it stands for a `**`.
        var isMultiSegment: Bool
    }

    /// The segments.
    private(set) var pieces: [Piece] = []
    /// The parameters in path order.
    private(set) var parameters: [Parameter] = []
    private let verb: String?

    init(_ template: PathTemplate) {
        verb = template.verb
        var unbound = 0
        var index = 0
        while index < template.segments.count {
            guard let variable = template.variables.first(where: { $0.segmentRange.lowerBound == index }),
                !variable.segmentRange.isEmpty
            else {
                switch template.segments[index] {
                case .literal(let text):
                    pieces.append(.literal(text))
                case .singleWildcard, .multiWildcard:
                    unbound += 1
                    pieces.append(.parameter(parameters.count))
                    parameters.append(
                        Parameter(
                            name: "wildcard_\(unbound)", fieldPath: nil, isWholeValue: false,
                            variablePieces: (pieces.count - 1)..<pieces.count,
                            isMultiSegment: template.segments[index] == .multiWildcard))
                }
                index += 1
                continue
            }
            // Not `book.name`: tools that fill paths with Python's str.format read a dot as attribute access.
            let field = variable.fieldPath.joined(separator: "_")
            let segments = template.segments[variable.segmentRange]
            let wildcards = segments.filter { segment in
                if case .literal = segment { false } else { true }
            }.count
            let range = pieces.count..<(pieces.count + segments.count)
            var position = 0
            for segment in segments {
                switch segment {
                case .literal(let text):
                    pieces.append(.literal(text))
                case .singleWildcard, .multiWildcard:
                    position += 1
                    pieces.append(.parameter(parameters.count))
                    parameters.append(
                        Parameter(
                            name: wildcards == 1 ? field : "\(field)_\(position)", fieldPath: variable.fieldPath,
                            isWholeValue: segments.count == 1 && segment == .singleWildcard, variablePieces: range,
                            isMultiSegment: segment == .multiWildcard))
                }
            }
            index = variable.segmentRange.upperBound
        }
    }

    /// The OpenAPI path, e.g. `/v1/shelves/{name}:checkout`.
    var path: String { render(pieces.indices, parameterNames: true, isWholePath: true) }

    /// The path with every parameter as `{}`: two paths of one shape must be one path item with one set of
    /// parameter names (OpenAPI calls them identical).
    var shape: String { render(pieces.indices, parameterNames: false, isWholePath: true) }

    /// How a parameter's variable is made of its parameters, e.g. `shelves/{name_1}/books/{name_2}`.
    func composition(of parameter: Parameter) -> String {
        String(render(parameter.variablePieces, parameterNames: true, isWholePath: false).dropFirst())
    }

    /// Gives the parameters these names, in path order (those of another path of the same shape).
    mutating func rename(to names: [String]) {
        for (index, name) in zip(parameters.indices, names) { parameters[index].name = name }
    }

    private func render(_ range: Range<Int>, parameterNames: Bool, isWholePath: Bool) -> String {
        var text = ""
        for piece in pieces[range] {
            text += "/"
            switch piece {
            case .literal(let literal): text += Self.escape(literal)
            case .parameter(let index): text += parameterNames ? "{\(parameters[index].name)}" : "{}"
            }
        }
        if isWholePath, let verb { text += ":" + Self.escape(verb) }
        return text
    }

    /// A decoded literal as it goes in a URL path: RFC 3986 `pchar`s as they are, anything else escaped.
    private static func escape(_ text: String) -> String {
        var escaped = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if Self.unescaped.contains(scalar) {
                escaped.unicodeScalars.append(scalar)
            } else {
                escaped += (byte < 0x10 ? "%0" : "%") + String(byte, radix: 16, uppercase: true)
            }
        }
        return escaped
    }

    private static let unescaped = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@".unicodeScalars)
}
