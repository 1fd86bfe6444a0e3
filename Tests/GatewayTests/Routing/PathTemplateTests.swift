import Gateway
import Testing

@Suite("PathTemplate parsing")
struct PathTemplateTests {
    struct ValidCase: Sendable, CustomTestStringConvertible {
        var text: String
        var segments: [PathTemplate.Segment]
        var variables: [PathTemplate.Variable] = []
        var verb: String?
        var testDescription: String { text }
    }

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var text: String
        var code: PathTemplateError.Code
        var offset: Int
        var messageFragment: String
        var testDescription: String { "\(text) → \(code)" }
    }

    static func literal(_ text: String) -> PathTemplate.Segment { .literal(text) }
    static func variable(_ path: String, _ range: Range<Int>) -> PathTemplate.Variable {
        PathTemplate.Variable(fieldPath: path.split(separator: ".").map(String.init), segmentRange: range)
    }

    static let validCases: [ValidCase] = [
        ValidCase(text: "/v1/shelves", segments: [literal("v1"), literal("shelves")]),
        ValidCase(
            text: "/v1/{name}", segments: [literal("v1"), .singleWildcard], variables: [variable("name", 1..<2)]),
        ValidCase(
            text: "/v1/{name=*}", segments: [literal("v1"), .singleWildcard], variables: [variable("name", 1..<2)]),
        ValidCase(
            text: "/v1/{name=shelves/*/books/*}:publish",
            segments: [literal("v1"), literal("shelves"), .singleWildcard, literal("books"), .singleWildcard],
            variables: [variable("name", 1..<5)],
            verb: "publish"
        ),
        ValidCase(
            text: "/v1/{book.name=shelves/*/books/*}",
            segments: [literal("v1"), literal("shelves"), .singleWildcard, literal("books"), .singleWildcard],
            variables: [variable("book.name", 1..<5)]
        ),
        ValidCase(
            text: "/v1/{parent=shelves/*}/books/{book_id}",
            segments: [literal("v1"), literal("shelves"), .singleWildcard, literal("books"), .singleWildcard],
            variables: [variable("parent", 1..<3), variable("book_id", 4..<5)]
        ),
        ValidCase(
            text: "/v1/{_x1.y_2.Z}", segments: [literal("v1"), .singleWildcard],
            variables: [variable("_x1.y_2.Z", 1..<2)]),
        ValidCase(
            text: "/v1/*/books/*", segments: [literal("v1"), .singleWildcard, literal("books"), .singleWildcard]),
        ValidCase(text: "/v1/**", segments: [literal("v1"), .multiWildcard]),
        ValidCase(text: "/{path=**}", segments: [.multiWildcard], variables: [variable("path", 0..<1)]),
        ValidCase(
            text: "/v1/{path=**}/meta:get",
            segments: [literal("v1"), .multiWildcard, literal("meta")],
            variables: [variable("path", 1..<2)],
            verb: "get"
        ),
        ValidCase(
            text: "/v1/{name=files/**/raw}/content",
            segments: [literal("v1"), literal("files"), .multiWildcard, literal("raw"), literal("content")],
            variables: [variable("name", 1..<4)]
        ),
        ValidCase(text: "/v1/**:download", segments: [literal("v1"), .multiWildcard], verb: "download"),
        ValidCase(text: "/v1/*:cancel", segments: [literal("v1"), .singleWildcard], verb: "cancel"),
        ValidCase(text: "/v1:batchGet", segments: [literal("v1")], verb: "batchGet"),
        ValidCase(text: "/v1/a:b:c", segments: [literal("v1"), literal("a:b")], verb: "c"),
        ValidCase(text: "/v1/a:b/c", segments: [literal("v1"), literal("a:b"), literal("c")]),
        ValidCase(
            text: "/v1/{name=operations}",
            segments: [literal("v1"), literal("operations")],
            variables: [variable("name", 1..<2)]
        ),
        ValidCase(text: "/v1/caf%C3%A9", segments: [literal("v1"), literal("café")]),
        ValidCase(text: "/v1/%41BC", segments: [literal("v1"), literal("ABC")]),
        ValidCase(text: "/v1/a%2Fb", segments: [literal("v1"), literal("a/b")]),
        ValidCase(text: "/v1/a%2ab", segments: [literal("v1"), literal("a*b")]),
        ValidCase(text: "/v1/it's~-._!$&()+,;=@", segments: [literal("v1"), literal("it's~-._!$&()+,;=@")]),
        ValidCase(text: "/package.Service/Method", segments: [literal("package.Service"), literal("Method")]),
        ValidCase(text: "/v1/x:do%20it", segments: [literal("v1"), literal("x")], verb: "do it"),
    ]

    @Test("parses a valid template into segments, variables and verb", arguments: validCases)
    func parsesValidTemplate(_ testCase: ValidCase) throws {
        let template = try PathTemplate(parsing: testCase.text)
        #expect(template.segments == testCase.segments)
        #expect(template.variables == testCase.variables)
        #expect(template.verb == testCase.verb)
        #expect(template.description == testCase.text)
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(text: "", code: .missingLeadingSlash, offset: 0, messageFragment: "must start with '/'"),
        InvalidCase(text: "v1/books", code: .missingLeadingSlash, offset: 0, messageFragment: "must start with '/'"),
        InvalidCase(text: "/", code: .emptySegment, offset: 1, messageFragment: "empty segment"),
        InvalidCase(text: "/v1//books", code: .emptySegment, offset: 4, messageFragment: "empty segment"),
        InvalidCase(text: "/v1/books/", code: .emptySegment, offset: 10, messageFragment: "trailing '/'"),
        InvalidCase(text: "/v1/:verb", code: .emptySegment, offset: 4, messageFragment: "before the verb"),
        InvalidCase(text: "/v1/{a=}", code: .emptySegment, offset: 7, messageFragment: "inside a variable"),
        InvalidCase(text: "/v1/{a=x//y}", code: .emptySegment, offset: 9, messageFragment: "inside a variable"),
        InvalidCase(text: "/v1/{name", code: .unterminatedVariable, offset: 4, messageFragment: "no matching '}'"),
        InvalidCase(text: "/v1/{name=shelves/*", code: .unterminatedVariable, offset: 4, messageFragment: "'}'"),
        InvalidCase(text: "/v1/{name=shelves", code: .unterminatedVariable, offset: 4, messageFragment: "'}'"),
        InvalidCase(text: "/v1/{}", code: .invalidFieldPath, offset: 5, messageFragment: "expected a field name"),
        InvalidCase(text: "/v1/{1abc}", code: .invalidFieldPath, offset: 5, messageFragment: "found '1'"),
        InvalidCase(text: "/v1/{a..b}", code: .invalidFieldPath, offset: 7, messageFragment: "found '.'"),
        InvalidCase(text: "/v1/{a-b}", code: .invalidFieldPath, offset: 6, messageFragment: "unexpected '-'"),
        InvalidCase(text: "/v1/{=x}", code: .invalidFieldPath, offset: 5, messageFragment: "expected a field name"),
        InvalidCase(text: "/v1/{a={b}}", code: .nestedVariable, offset: 7, messageFragment: "cannot be nested"),
        InvalidCase(text: "/v1/{a=x/{b}}", code: .nestedVariable, offset: 9, messageFragment: "cannot be nested"),
        InvalidCase(text: "/v1/{a=x{b}}", code: .nestedVariable, offset: 8, messageFragment: "cannot be nested"),
        InvalidCase(text: "/v1/{a{b}}", code: .nestedVariable, offset: 6, messageFragment: "cannot be nested"),
        InvalidCase(text: "/v1/x{a}", code: .misplacedVariable, offset: 5, messageFragment: "whole segment"),
        InvalidCase(text: "/v1/{a}x", code: .misplacedVariable, offset: 7, messageFragment: "whole segment"),
        InvalidCase(text: "/v1/**/**", code: .misplacedWildcard, offset: 7, messageFragment: "only once"),
        InvalidCase(text: "/v1/**/x/*", code: .misplacedWildcard, offset: 9, messageFragment: "only literals"),
        InvalidCase(text: "/v1/{a=**}/{b}", code: .misplacedWildcard, offset: 11, messageFragment: "only literals"),
        InvalidCase(text: "/v1/{a=**/*}", code: .misplacedWildcard, offset: 10, messageFragment: "only literals"),
        InvalidCase(text: "/v1/a*", code: .misplacedWildcard, offset: 5, messageFragment: "%2A"),
        InvalidCase(text: "/v1/***", code: .misplacedWildcard, offset: 4, messageFragment: "whole segment"),
        InvalidCase(text: "/v1/a b", code: .invalidCharacter, offset: 5, messageFragment: "' ' is not allowed"),
        InvalidCase(text: "/v1/a?b", code: .invalidCharacter, offset: 5, messageFragment: "'?' is not allowed"),
        InvalidCase(text: "/v1/a#b", code: .invalidCharacter, offset: 5, messageFragment: "'#' is not allowed"),
        InvalidCase(text: "/v1/}", code: .invalidCharacter, offset: 4, messageFragment: "'}' is not allowed"),
        InvalidCase(text: "/v1/é", code: .invalidCharacter, offset: 4, messageFragment: "byte 0xC3"),
        InvalidCase(text: "/v1/%G1", code: .invalidPercentEncoding, offset: 4, messageFragment: "two hex digits"),
        InvalidCase(text: "/v1/%4", code: .invalidPercentEncoding, offset: 4, messageFragment: "two hex digits"),
        InvalidCase(text: "/v1/ab%", code: .invalidPercentEncoding, offset: 6, messageFragment: "two hex digits"),
        InvalidCase(text: "/v1/%C3", code: .invalidPercentEncoding, offset: 4, messageFragment: "invalid UTF-8"),
        InvalidCase(text: "/v1/books:", code: .invalidVerb, offset: 9, messageFragment: "empty verb"),
        InvalidCase(text: "/v1/{name}:a:b", code: .invalidVerb, offset: 12, messageFragment: "cannot contain ':'"),
        InvalidCase(text: "/v1/*:x/y", code: .invalidVerb, offset: 7, messageFragment: "'/' after the verb"),
        InvalidCase(text: "/v1/x:a%2", code: .invalidPercentEncoding, offset: 7, messageFragment: "two hex digits"),
        InvalidCase(text: "/v1/{a}/{a}", code: .duplicateFieldPath, offset: 8, messageFragment: "'a' is bound twice"),
        InvalidCase(
            text: "/v1/{a.b}/x/{a}",
            code: .duplicateFieldPath,
            offset: 12,
            messageFragment: "'a' and its subfield 'a.b'"
        ),
    ]

    @Test("rejects an invalid template, naming the problem and where it is", arguments: invalidCases)
    func rejectsInvalidTemplate(_ testCase: InvalidCase) {
        let error = #expect(throws: PathTemplateError.self) {
            try PathTemplate(parsing: testCase.text)
        }
        #expect(error?.code == testCase.code)
        #expect(error?.offset == testCase.offset)
        #expect(error?.template == testCase.text)
        #expect(error?.message.contains(testCase.messageFragment) == true, "message: \(error?.message ?? "")")
        #expect(error?.description.contains("\"\(testCase.text)\" at offset \(testCase.offset)") == true)
    }

    @Test("equal text gives equal templates, and names distinguish otherwise equal shapes")
    func equality() throws {
        #expect(try PathTemplate(parsing: "/v1/{a}") == PathTemplate(parsing: "/v1/{a}"))
        let named = try PathTemplate(parsing: "/v1/{a}")
        let renamed = try PathTemplate(parsing: "/v1/{b}")
        #expect(named != renamed)
        #expect(named.segments == renamed.segments)
    }
}
