/// A recursive-descent parser for ``PathTemplate`` over the template's UTF-8 bytes.
///
/// Byte offsets are kept for every segment and variable so that each error can point at its cause.
struct PathTemplateParser {
    private let text: String
    private let bytes: [UInt8]
    private var position = 0
    private var segments: [PathTemplate.Segment] = []
    private var segmentOffsets: [Int] = []
    private var variables: [PathTemplate.Variable] = []
    private var variableOffsets: [Int] = []
    private var verb: String?

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    mutating func parse() throws(PathTemplateError) -> PathTemplate {
        guard bytes.first == UInt8(ascii: "/") else {
            throw failure(.missingLeadingSlash, at: 0, "a template must start with '/'")
        }
        position = 1
        while true {
            try parseTopLevelSegment()
            if position == bytes.count { break }
            if bytes[position] == UInt8(ascii: ":") {
                try parseVerb()
                break
            }
            position += 1  // the "/" between segments
        }
        try checkMultiWildcardPlacement()
        try checkFieldPathsAreDistinct()
        return PathTemplate(segments: segments, variables: variables, verb: verb, description: text)
    }

    /// Parses one segment outside braces; leaves `position` at the following `/`, the verb's `:`, or the end.
    private mutating func parseTopLevelSegment() throws(PathTemplateError) {
        let start = position
        guard start < bytes.count, bytes[start] != UInt8(ascii: "/") else {
            throw failure(.emptySegment, at: start, "empty segment (no '//' and no trailing '/' in a template)")
        }
        if bytes[start] == UInt8(ascii: "{") {
            try parseVariable()
            guard
                position == bytes.count || bytes[position] == UInt8(ascii: "/") || bytes[position] == UInt8(ascii: ":")
            else {
                throw failure(.misplacedVariable, at: position, "a variable must be a whole segment")
            }
            return
        }
        if let wildcard = wildcard(at: start, terminators: [UInt8(ascii: "/"), UInt8(ascii: ":")]) {
            append(wildcard.segment, at: start)
            position = start + wildcard.length
            return
        }
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "/") { end += 1 }
        var literalEnd = end
        if end == bytes.count, let colon = bytes[start..<end].lastIndex(of: UInt8(ascii: ":")) {
            literalEnd = colon
            guard colon > start else {
                throw failure(.emptySegment, at: start, "empty segment before the verb")
            }
        }
        append(.literal(try literal(in: start..<literalEnd, insideVariable: false)), at: start)
        position = literalEnd
    }

    /// Parses `{FieldPath [= Segments]}` starting at the `{`; leaves `position` after the `}`.
    private mutating func parseVariable() throws(PathTemplateError) {
        let braceOffset = position
        position += 1
        let fieldPath = try parseFieldPath(braceOffset: braceOffset)
        let firstSegment = segments.count
        if bytes[position] == UInt8(ascii: "=") {
            position += 1
            while true {
                try parseSegmentInsideVariable(braceOffset: braceOffset)
                guard position < bytes.count else {
                    throw failure(.unterminatedVariable, at: braceOffset, "'{' has no matching '}'")
                }
                if bytes[position] == UInt8(ascii: "}") { break }
                position += 1  // the "/" between segments
            }
        } else {
            append(.singleWildcard, at: braceOffset)
        }
        position += 1  // the "}"
        variables.append(PathTemplate.Variable(fieldPath: fieldPath, segmentRange: firstSegment..<segments.count))
        variableOffsets.append(braceOffset)
    }

    /// Parses `IDENT { "." IDENT }`; leaves `position` at the `=` or `}` that follows.
    private mutating func parseFieldPath(braceOffset: Int) throws(PathTemplateError) -> [String] {
        var fieldPath: [String] = []
        while true {
            let start = position
            while position < bytes.count && Self.isIdentifierByte(bytes[position], first: position == start) {
                position += 1
            }
            guard position < bytes.count else {
                throw failure(.unterminatedVariable, at: braceOffset, "'{' has no matching '}'")
            }
            guard position > start else {
                throw failure(
                    .invalidFieldPath,
                    at: start,
                    "expected a field name ([A-Za-z_][A-Za-z0-9_]*), found \(describeByte(at: start))"
                )
            }
            fieldPath.append(String(decoding: bytes[start..<position], as: UTF8.self))
            switch bytes[position] {
            case UInt8(ascii: "."):
                position += 1
            case UInt8(ascii: "="), UInt8(ascii: "}"):
                return fieldPath
            case UInt8(ascii: "{"):
                throw failure(.nestedVariable, at: position, "variables cannot be nested")
            default:
                throw failure(.invalidFieldPath, at: position, "unexpected \(describeByte(at: position)) in field path")
            }
        }
    }

    /// Parses one segment inside `{x=…}`; leaves `position` at the following `/` or `}`.
    private mutating func parseSegmentInsideVariable(braceOffset: Int) throws(PathTemplateError) {
        let start = position
        guard start < bytes.count else {
            throw failure(.unterminatedVariable, at: braceOffset, "'{' has no matching '}'")
        }
        switch bytes[start] {
        case UInt8(ascii: "/"), UInt8(ascii: "}"):
            throw failure(.emptySegment, at: start, "empty segment inside a variable")
        case UInt8(ascii: "{"):
            throw failure(.nestedVariable, at: start, "variables cannot be nested")
        default:
            break
        }
        if let wildcard = wildcard(at: start, terminators: [UInt8(ascii: "/"), UInt8(ascii: "}")]) {
            append(wildcard.segment, at: start)
            position = start + wildcard.length
            return
        }
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "/") && bytes[end] != UInt8(ascii: "}") {
            if bytes[end] == UInt8(ascii: "{") {
                throw failure(.nestedVariable, at: end, "variables cannot be nested")
            }
            end += 1
        }
        guard end < bytes.count else {
            throw failure(.unterminatedVariable, at: braceOffset, "'{' has no matching '}'")
        }
        append(.literal(try literal(in: start..<end, insideVariable: true)), at: start)
        position = end
    }

    /// Parses the verb from the `:` at `position` to the end of the template.
    private mutating func parseVerb() throws(PathTemplateError) {
        let start = position + 1
        guard start < bytes.count else {
            throw failure(.invalidVerb, at: position, "empty verb after ':'")
        }
        if let slash = bytes[start...].firstIndex(of: UInt8(ascii: "/")) {
            throw failure(.invalidVerb, at: slash, "'/' after the verb; the verb must end the template")
        }
        if let colon = bytes[start...].firstIndex(of: UInt8(ascii: ":")) {
            throw failure(
                .invalidVerb,
                at: colon,
                "a verb cannot contain ':' (requests are split at their last colon)"
            )
        }
        verb = try literal(in: start..<bytes.count, insideVariable: false)
        position = bytes.count
    }

    /// `*` or `**` at `offset` when followed by a terminator or the end; otherwise `nil` (a literal follows).
    private func wildcard(at offset: Int, terminators: [UInt8]) -> (segment: PathTemplate.Segment, length: Int)? {
        guard bytes[offset] == UInt8(ascii: "*") else { return nil }
        let isDouble = offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "*")
        let length = isDouble ? 2 : 1
        let next = offset + length
        guard next == bytes.count || terminators.contains(bytes[next]) else { return nil }
        return (isDouble ? .multiWildcard : .singleWildcard, length)
    }

    /// Checks the `pchar`s of a literal and returns it percent-decoded.
    private func literal(in range: Range<Int>, insideVariable: Bool) throws(PathTemplateError) -> String {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "%"):
                guard index + 2 < range.upperBound,
                    PercentDecoding.hexValue(bytes[index + 1]) != nil,
                    PercentDecoding.hexValue(bytes[index + 2]) != nil
                else {
                    throw failure(.invalidPercentEncoding, at: index, "'%' must be followed by two hex digits")
                }
                index += 3
                continue
            case UInt8(ascii: "*"):
                throw failure(
                    .misplacedWildcard,
                    at: index,
                    "'*' may only be a whole segment ('*' or '**'); write %2A for a literal asterisk"
                )
            case UInt8(ascii: "{") where !insideVariable:
                throw failure(.misplacedVariable, at: index, "a variable must be a whole segment")
            case _ where !Self.isPathCharacter(byte):
                throw failure(
                    .invalidCharacter,
                    at: index,
                    "\(describeByte(at: index)) is not allowed in a literal (percent-encode it)"
                )
            default:
                index += 1
            }
        }
        let decoded: String? = bytes.withUnsafeBufferPointer { buffer in
            guard PercentDecoding.validate(buffer, in: range) == nil else { return nil }
            return PercentDecoding.decode(buffer, range, keepingEncodedSlashes: false)
        }
        guard let decoded else {
            throw failure(.invalidPercentEncoding, at: range.lowerBound, "the literal decodes to invalid UTF-8")
        }
        return decoded
    }

    private mutating func append(_ segment: PathTemplate.Segment, at offset: Int) {
        segments.append(segment)
        segmentOffsets.append(offset)
    }

    private func checkMultiWildcardPlacement() throws(PathTemplateError) {
        guard let first = segments.firstIndex(of: .multiWildcard) else { return }
        for index in segments.indices.dropFirst(first + 1) {
            switch segments[index] {
            case .literal:
                continue
            case .multiWildcard:
                throw failure(.misplacedWildcard, at: segmentOffsets[index], "'**' may appear only once")
            case .singleWildcard:
                throw failure(.misplacedWildcard, at: segmentOffsets[index], "only literals may follow '**'")
            }
        }
    }

    private func checkFieldPathsAreDistinct() throws(PathTemplateError) {
        for later in variables.indices {
            for earlier in variables.indices.prefix(later) {
                let a = variables[earlier].fieldPath
                let b = variables[later].fieldPath
                let shorter = min(a.count, b.count)
                guard a.prefix(shorter) == b.prefix(shorter) else { continue }
                let message =
                    a == b
                    ? "field '\(b.joined(separator: "."))' is bound twice"
                    : "field '\((a.count < b.count ? a : b).joined(separator: "."))' and its subfield "
                        + "'\((a.count < b.count ? b : a).joined(separator: "."))' are both bound"
                throw failure(.duplicateFieldPath, at: variableOffsets[later], message)
            }
        }
    }

    private func failure(_ code: PathTemplateError.Code, at offset: Int, _ message: String) -> PathTemplateError {
        PathTemplateError(code: code, template: text, offset: offset, message: message)
    }

    private func describeByte(at offset: Int) -> String {
        let byte = bytes[offset]
        guard byte >= 0x20 && byte < 0x7F else {
            return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
        return "'" + String(UnicodeScalar(byte)) + "'"
    }

    private static func isIdentifierByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return !first
        default:
            return false
        }
    }

    /// RFC 3986 `pchar` without `pct-encoded`: unreserved, sub-delims, `:` and `@`.
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
            UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }
}
