import Testing

@testable import Gateway

@Suite("Request transcoding: body, path variables and query parameters")
struct RequestTranscoderTests {
    typealias Fixtures = TranscodingFixtures

    /// Encodes a request for `method` and prints the resulting message as JSON.
    private func request(
        _ methodName: String,
        binding bindingIndex: Int? = 0,
        body: String = "",
        path: [(fieldPath: [String], value: String)] = [],
        query: Substring? = nil
    ) throws -> String {
        let method = Fixtures.libraryMethod(methodName)
        let binding = bindingIndex.map { method.httpBindings[$0] }
        let wire = try Fixtures.encode(body, method: method, binding: binding, pathVariables: path, query: query)
        return try Fixtures.decode(wire, as: method.input.fullName)
    }

    @Test("body field, path variable and query parameters fill their own fields")
    func bodyFieldPathAndQuery() throws {
        let json = try request(
            "CreateBook",
            body: #"{"title": "T", "pages": "5"}"#,
            path: [(["parent"], "shelves/1")],
            query: "bookId=abc&color=RED&book.title=ignored&unknown.x=1&parent=ignored&numbers=1&numbers=2"
        )
        #expect(
            json
                == #"{"parent":"shelves/1","book":{"title":"T","pages":"5"},"bookId":"abc","color":"RED","numbers":[1,2]}"#
        )
    }

    @Test("with body \"*\" the query is ignored and path values win over body values")
    func wholeBodyPathWins() throws {
        let json = try request(
            "CreateBookWhole",
            body: #"{"parent": "from-body", "bookId": "b", "book": {"title": "T"}}"#,
            path: [(["parent"], "shelves/2")],
            query: "bookId=from-query"
        )
        #expect(json == #"{"parent":"shelves/2","book":{"title":"T"},"bookId":"b"}"#)
    }

    @Test("a nested path variable merges into the body message and wins")
    func nestedPathVariable() throws {
        let json = try request(
            "UpdateBook",
            body: #"{"name": "other", "title": "new"}"#,
            path: [(["book", "name"], "shelves/1/books/2")],
            query: "updateMask=title,pages"
        )
        #expect(json == #"{"book":{"name":"shelves/1/books/2","title":"new"},"updateMask":"title,pages"}"#)
    }

    @Test("a PATCH without a mask gets the body's fields as its FieldMask, nested objects as dotted paths")
    func impliedFieldMask() throws {
        let json = try request(
            "UpdateBook",
            body: #"{"title": "new", "sequel": {"title": "S", "sequel": {}}, "tags": ["a"], "color": 1}"#,
            path: [(["book", "name"], "shelves/1/books/2")]
        )
        // Paths are proto names relative to the body field, in body order; the FieldMask prints them lowerCamel.
        #expect(
            json
                == #"{"book":{"name":"shelves/1/books/2","title":"new","color":"RED","tags":["a"],"sequel":{"title":"S","sequel":{}}},"updateMask":"title,sequel.title,sequel.sequel,tags,color"}"#
        )
        // A mask the client sends wins, even one naming fewer fields.
        #expect(
            try request("UpdateBook", body: #"{"title": "new", "pages": "3"}"#, query: "update_mask=pages")
                == #"{"book":{"title":"new","pages":"3"},"updateMask":"pages"}"#)
        // An empty body implies no mask; other methods with a body field never get one.
        #expect(try request("UpdateBook", body: "{}") == #"{"book":{}}"#)
        #expect(try request("CreateBook", body: #"{"title": "T"}"#, path: [(["parent"], "shelves/1")]) == #"{"parent":"shelves/1","book":{"title":"T"}}"#)
    }

    @Test("query parameters set wrappers, Timestamp, Duration, FieldMask, repeated and oneof fields by their text form")
    func queryWellKnownTypes() throws {
        let method = Fixtures.method(for: "portico.test.Everything")
        let binding = HTTPBinding(httpMethod: "GET", pathTemplate: "/x", body: .none, responseBody: nil)
        let query: Substring =
            "wellKnown.int32Value=-5&well_known.uint64_value=18446744073709551615&wellKnown.boolValue=true"
            + "&wellKnown.stringValue=a%20b&wellKnown.bytesValue=AP8&wellKnown.doubleValue=NaN"
            + "&wellKnown.duration=-1.5s&wellKnown.timestamp=2024-02-29T12:00:00.5%2B01:00"
            + "&wellKnown.fieldMask=a.bC,d&wellKnown.timestamps=1970-01-01T00:00:00Z&wellKnown.timestamps=2000-01-01T00:00:00Z"
            + "&repeateds.rInt64=1&repeateds.rInt64=-2&choices.choiceColor=2&choices.optBool=false&scalars.fBytes=-_8"
        let wire = try Fixtures.encode("", method: method, binding: binding, query: query)
        let json = try Fixtures.decode(wire, as: "portico.test.Everything")
        #expect(
            json
                == #"{"scalars":{"fBytes":"+/8="},"repeateds":{"rInt64":["1","-2"]},"choices":{"choiceColor":"GREEN","optBool":false},"wellKnown":{"timestamp":"2024-02-29T11:00:00.500Z","duration":"-1.500s","int32Value":-5,"uint64Value":"18446744073709551615","doubleValue":"NaN","boolValue":true,"stringValue":"a b","bytesValue":"AP8=","fieldMask":"a.bC,d","timestamps":["1970-01-01T00:00:00Z","2000-01-01T00:00:00Z"]}}"#
        )
        #expect(throws: TranscodingError.self) {
            try Fixtures.encode("", method: method, binding: binding, query: "wellKnown.duration=1x")
        }
        #expect(throws: TranscodingError.self) {
            try Fixtures.encode("", method: method, binding: binding, query: "wellKnown.int32Value=2147483648")
        }
    }

    @Test("without a body selector the body is ignored; query parameters reach nested fields")
    func getWithQuery() throws {
        let json = try request(
            "GetBook",
            body: #"{"view": "from-body"}"#,
            path: [(["name"], "shelves/1/books/2")],
            query: "view=FULL&filter.author=A%20B+C&filter.min_pages=10&filter.color=2&name=ignored"
        )
        #expect(
            json
                == #"{"name":"shelves/1/books/2","view":"FULL","filter":{"author":"A B C","minPages":10,"color":"GREEN"}}"#
        )
    }

    @Test("map[key]=value query parameters set map entries: string and integer keys, enum values by name or number")
    func mapQuery() throws {
        let json = try request(
            "ListBooks", path: [(["parent"], "shelves/9")],
            query: "labels[env]=prod&labels%5Bteam%5D=a%20b&colorByRank[1]=RED&color_by_rank[-2]=2&parent[x]=ignored")
        #expect(
            try Fixtures.sameJSON(
                json,
                #"{"parent":"shelves/9","labels":{"env":"prod","team":"a b"},"colorByRank":{"1":"RED","-2":"GREEN"}}"#))
        let badKey = #expect(throws: TranscodingError.self) {
            try request("ListBooks", path: [(["parent"], "p")], query: "colorByRank[one]=RED")
        }
        #expect(badKey?.fieldPath == "colorByRank", "\(String(describing: badKey))")
        let badValue = #expect(throws: TranscodingError.self) {
            try request("ListBooks", path: [(["parent"], "p")], query: "colorByRank[1]=PURPLE")
        }
        #expect(badValue?.code == .unknownEnumValue)
    }

    @Test("repeated query keys append; enums by name or number; well-known types from text")
    func repeatedQuery() throws {
        let json = try request(
            "ListBooks",
            path: [(["parent"], "shelves/9")],
            query: "colors=RED&colors=2&colors=BLUE&page_size=5&pageToken=a%2Bb&since=2020-01-01T00:00:00Z&=x&novalue"
        )
        #expect(
            json
                == #"{"parent":"shelves/9","pageSize":5,"pageToken":"a+b","colors":["RED","GREEN","BLUE"],"since":"2020-01-01T00:00:00Z"}"#
        )
    }

    @Test("a nil binding means body \"*\"; an empty body is an empty message, a null one is refused")
    func defaults() throws {
        #expect(try request("CreateBookWhole", binding: nil, body: #"{"bookId":"x"}"#) == #"{"bookId":"x"}"#)
        #expect(try request("CreateBookWhole", binding: nil, body: "  ") == "{}")
        #expect(throws: TranscodingError.self) { try request("CreateBookWhole", binding: nil, body: "null") }
        #expect(try request("CreateBook", body: "", path: [(["parent"], "p")]) == #"{"parent":"p"}"#)
    }

    @Test("path variable values are converted by the field's type, defaults included")
    func pathConversions() throws {
        let method = Fixtures.method(for: "portico.test.Scalars")
        let binding = HTTPBinding(httpMethod: "GET", pathTemplate: "/x", body: .none, responseBody: nil)
        let wire = try Fixtures.encode(
            "",
            method: method,
            binding: binding,
            pathVariables: [
                (["f_int32"], "-5"), (["fBool"], "true"), (["f_color"], "2"), (["fBytes"], "-_8"),
                (["fDouble"], "NaN"), (["fUint64"], "18446744073709551615"), (["fInt64"], "0"), (["fString"], "é"),
            ]
        )
        #expect(
            try Fixtures.decode(wire, as: "portico.test.Scalars")
                == #"{"fDouble":"NaN","fUint64":"18446744073709551615","fInt32":-5,"fBool":true,"fString":"é","fBytes":"+/8=","fColor":"GREEN"}"#
        )
        // "0" is written explicitly so that it overrides a body value.
        #expect(wire.contains(0x18))
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var json: String
        var type = "portico.test.Everything"
        var code: TranscodingError.Code
        var fieldPath: String
        var testDescription: String { json }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            json: #"{"fInt32": 2147483648}"#, type: "portico.test.Scalars", code: .outOfRange, fieldPath: "fInt32"),
        ErrorCase(json: #"{"fUint64": -1}"#, type: "portico.test.Scalars", code: .outOfRange, fieldPath: "fUint64"),
        ErrorCase(json: #"{"fInt32": 1.5}"#, type: "portico.test.Scalars", code: .outOfRange, fieldPath: "fInt32"),
        ErrorCase(json: #"{"fFloat": 1e39}"#, type: "portico.test.Scalars", code: .outOfRange, fieldPath: "fFloat"),
        ErrorCase(json: #"{"repeateds": {"rInt32": [1, "x"]}}"#, code: .wrongType, fieldPath: "repeateds.rInt32[1]"),
        ErrorCase(
            json: #"{"repeateds": {"rString": ["a", null]}}"#, code: .wrongType, fieldPath: "repeateds.rString[1]"),
        ErrorCase(json: #"{"scalars": {"fColor": "PURPLE"}}"#, code: .unknownEnumValue, fieldPath: "scalars.fColor"),
        ErrorCase(
            json: #"{"choices": {"choiceInt": 1, "choice_string": "x"}}"#, code: .duplicateOneof,
            fieldPath: "choices.choiceString"),
        ErrorCase(json: #"{"maps": {"int32ToInt64": {"x": 1}}}"#, code: .wrongType, fieldPath: "maps.int32ToInt64[x]"),
        ErrorCase(
            json: #"{"maps": {"stringToTree": {"k": {"weight": true}}}}"#, code: .wrongType,
            fieldPath: "maps.stringToTree[k].weight"),
        ErrorCase(json: #"{"scalars": {"fBytes": "!!!"}}"#, code: .wrongType, fieldPath: "scalars.fBytes"),
        ErrorCase(json: #"{"scalars": {"fBool": "true"}}"#, code: .wrongType, fieldPath: "scalars.fBool"),
        ErrorCase(json: #"{"scalars": [1]}"#, code: .wrongType, fieldPath: "scalars"),
        ErrorCase(
            json: #"{"wellKnown": {"timestamp": "2020-02-30T00:00:00Z"}}"#, code: .wrongType,
            fieldPath: "wellKnown.timestamp"),
        ErrorCase(json: #"{"wellKnown": {"duration": "1"}}"#, code: .wrongType, fieldPath: "wellKnown.duration"),
        ErrorCase(
            json: #"{"wellKnown": {"anys": [{"@type": "x/no.Such"}]}}"#, code: .unsupported,
            fieldPath: "wellKnown.anys[0]"),
        ErrorCase(json: "{\"tree\": {\"label\": \"x\u{01}\"}}", code: .invalidJSON, fieldPath: "tree.label"),
        ErrorCase(json: #"{"scalars": {"fInt32": 1}"#, code: .invalidJSON, fieldPath: ""),
        ErrorCase(json: #"{"scalars": {}} x"#, code: .invalidJSON, fieldPath: ""),
    ]

    @Test("each bad input fails with its code and names the field", arguments: errorCases)
    func errors(_ errorCase: ErrorCase) {
        let error = #expect(throws: TranscodingError.self) {
            try Fixtures.encode(errorCase.json, as: errorCase.type)
        }
        #expect(error?.code == errorCase.code, "\(String(describing: error))")
        #expect(error?.fieldPath == errorCase.fieldPath, "\(String(describing: error))")
    }

    @Test("invalid JSON reports the byte offset")
    func invalidJSONOffset() {
        let error = #expect(throws: TranscodingError.self) {
            try Fixtures.encode(#"{"fInt32": tru}"#, as: "portico.test.Scalars")
        }
        #expect(error?.code == .invalidJSON)
        #expect(error?.offset == 11)
        #expect(error?.description.contains("at byte 11") == true)
    }

    @Test("invalid UTF-8 in the body is invalid JSON")
    func invalidUTF8() {
        let method = Fixtures.method(for: "portico.test.Scalars")
        let transcoder = RequestTranscoder(method: method, binding: nil, options: .defaults)
        let body: [UInt8] = Array(#"{"fString": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        var output: [UInt8] = []
        let error = #expect(throws: TranscodingError.self) {
            try body.withUnsafeBytes { buffer in
                try transcoder.encodeRequest(body: buffer, pathVariables: [], query: nil, into: &output)
            }
        }
        #expect(error?.code == .invalidJSON)
        #expect(error?.offset == 13)
    }

    @Test("nesting deeper than maxDepth fails with tooDeep, also inside unknown fields")
    func depthLimit() throws {
        let deep = String(repeating: #"{"left":"#, count: 70) + "{}" + String(repeating: "}", count: 70)
        let error = #expect(throws: TranscodingError.self) { try Fixtures.encode(deep, as: "portico.test.Tree") }
        #expect(error?.code == .tooDeep)
        _ = try Fixtures.encode(deep, as: "portico.test.Tree", options: .init(maxDepth: 100))
        let unknown = #"{"x":"# + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}"
        let unknownError = #expect(throws: TranscodingError.self) {
            try Fixtures.encode(unknown, as: "portico.test.Tree", options: .init(discardUnknownFields: true))
        }
        #expect(unknownError?.code == .tooDeep)
    }

    @Test("an unknown JSON field is refused naming it, at any depth, unless discardUnknownFields")
    func unknownFields() throws {
        for (json, path) in [
            (#"{"nope": 1}"#, "nope"),
            (#"{"scalars": {"fInt32": 3, "alsoUnknown": "x"}}"#, "scalars.alsoUnknown"),
            (#"{"scalars": {"f_int32": 3}, "Scalars": {}}"#, "Scalars"),
        ] {
            let error = #expect(throws: TranscodingError.self) {
                try Fixtures.encode(json, as: "portico.test.Everything")
            }
            #expect(error?.code == .unknownField, "\(json)")
            #expect(error?.fieldPath == path, "\(json)")
            let dropped = try Fixtures.encode(
                json, as: "portico.test.Everything", options: .init(discardUnknownFields: true))
            #expect(try Fixtures.decode(dropped, as: "portico.test.Everything").contains("nope") == false)
        }
        // An Any's "@type" is not a field of the packed message, and is accepted in strict mode.
        let any = #"{"wellKnown": {"anys": [{"@type": "type.googleapis.com/portico.test.Book", "title": "t"}]}}"#
        let packed = try Fixtures.encode(any, as: "portico.test.Everything")
        #expect(try Fixtures.decode(packed, as: "portico.test.Everything").contains(#""title":"t""#))
    }

    @Test("bad path variables and query values name their field")
    func bindingErrors() {
        let method = Fixtures.libraryMethod("ListBooks")
        let queryError = #expect(throws: TranscodingError.self) {
            try Fixtures.encode("", method: method, binding: method.httpBindings[0], query: "page_size=abc")
        }
        #expect(queryError?.code == .wrongType)
        #expect(queryError?.fieldPath == "pageSize")

        let enumError = #expect(throws: TranscodingError.self) {
            try Fixtures.encode("", method: method, binding: method.httpBindings[0], query: "filter.color=NOPE")
        }
        #expect(enumError?.code == .unknownEnumValue)
        #expect(enumError?.fieldPath == "filter.color")

        let pathError = #expect(throws: TranscodingError.self) {
            try Fixtures.encode("", method: method, binding: method.httpBindings[0], pathVariables: [(["nope"], "x")])
        }
        #expect(pathError?.code == .unknownField)
        #expect(pathError?.fieldPath == "nope")
    }

    @Test("long nested messages get multi-byte lengths patched in place")
    func longNestedLengths() throws {
        let long = String(repeating: "x", count: 20_000)
        let json = #"{"tree": {"left": {"label": ""# + long + #""}}, "named": {"renamed": "r"}}"#
        let wire = try Fixtures.encode(json, as: "portico.test.Everything")
        let printed = try Fixtures.decode(wire, as: "portico.test.Everything")
        #expect(printed == #"{"tree":{"left":{"label":""# + long + #""}},"named":{"renamed":"r"}}"#)
    }
}
