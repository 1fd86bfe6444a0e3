import Foundation
import Testing

@testable import Gateway

@Suite("Response transcoding: protobuf wire to JSON")
struct ResponseTranscoderTests {
    typealias Fixtures = TranscodingFixtures

    @Test("fields print in field-number order whatever the wire order")
    func fieldOrder() throws {
        // title (2) before name (1), pages (3) last, tags (5) split around color (4).
        let wire: [UInt8] = [
            0x12, 0x01, 0x54, 0x2A, 0x01, 0x61, 0x0A, 0x01, 0x4E, 0x20, 0x02, 0x2A, 0x01, 0x62, 0x18, 0x07,
        ]
        #expect(
            try Fixtures.decode(wire, as: "portico.test.Book")
                == #"{"name":"N","title":"T","pages":"7","color":"GREEN","tags":["a","b"]}"#
        )
    }

    @Test("emitUnpopulated prints zeros, empty lists and objects, null messages, but no unset optionals")
    func emitUnpopulated() throws {
        let options = TranscodingOptions(emitUnpopulated: true)
        #expect(
            try Fixtures.decode([], as: "portico.test.Book", options: options)
                == #"{"name":"","title":"","pages":"0","color":"COLOR_UNSPECIFIED","tags":[],"sequel":null}"#
        )
        #expect(try Fixtures.decode([], as: "portico.test.Choices", options: options) == #"{"plain":""}"#)
        #expect(
            try Fixtures.decode([], as: "portico.test.Maps", options: options).hasPrefix(#"{"stringToString":{},"#)
        )
    }

    @Test("proto3 optional fields print when present, even at zero")
    func optionalPresence() throws {
        // opt_int (5) = 0, opt_string (6) = "".
        #expect(
            try Fixtures.decode([0x28, 0x00, 0x32, 0x00], as: "portico.test.Choices") == #"{"optInt":0,"optString":""}"#
        )
    }

    @Test("enumsAsInts and useProtoNames change the printing")
    func printOptions() throws {
        let wire: [UInt8] = [0x20, 0x02, 0x20, 0x63]  // color = GREEN, then color = 99 (unknown, last wins)
        #expect(
            try Fixtures.decode(Array(wire.prefix(2)), as: "portico.test.Book", options: .init(enumsAsInts: true))
                == #"{"color":2}"#)
        #expect(try Fixtures.decode(wire, as: "portico.test.Book") == #"{"color":99}"#)
        let response: [UInt8] = [0x12, 0x01, 0x78]  // next_page_token = "x"
        #expect(
            try Fixtures.decode(response, as: "portico.test.ListBooksResponse", options: .init(useProtoNames: true))
                == #"{"next_page_token":"x"}"#
        )
    }

    @Test("response_body prints only that field, or its default when absent")
    func responseBody() throws {
        let method = Fixtures.libraryMethod("ListBooks")
        let binding = try #require(method.httpBindings.first)
        #expect(binding.responseBody == ["books"])
        let wire: [UInt8] = [0x0A, 0x03, 0x0A, 0x01, 0x61, 0x12, 0x01, 0x74, 0x0A, 0x00]
        #expect(try Fixtures.decode(wire, method: method, binding: binding) == #"[{"name":"a"},{}]"#)
        #expect(try Fixtures.decode([0x12, 0x01, 0x74], method: method, binding: binding) == "[]")
        #expect(
            try Fixtures.decode(wire, method: method, binding: nil)
                == #"{"books":[{"name":"a"},{}],"nextPageToken":"t"}"#)
    }

    struct MalformedCase: CustomTestStringConvertible, Sendable {
        var name: String
        var wire: [UInt8]
        var testDescription: String { name }
    }

    static let malformedCases: [MalformedCase] = [
        MalformedCase(name: "truncated varint", wire: [0x28, 0x80]),
        MalformedCase(name: "overlong varint", wire: [0x28] + [UInt8](repeating: 0xFF, count: 10) + [0x01]),
        MalformedCase(name: "length past the end", wire: [0x4A, 0x05, 0x61]),
        MalformedCase(name: "wire type 6", wire: [0x0E]),
        MalformedCase(name: "field number 0", wire: [0x00, 0x01]),
        MalformedCase(name: "stray end group", wire: [0x0C]),
        MalformedCase(name: "unterminated group", wire: [0xBB, 0x3E]),
        MalformedCase(name: "truncated fixed64", wire: [0x09, 0x00, 0x00]),
        MalformedCase(name: "invalid UTF-8 in a string", wire: [0x4A, 0x02, 0xC3, 0x28]),
        MalformedCase(name: "bad nested message", wire: [0x12, 0x02, 0x08, 0x80]),
    ]

    @Test("malformed wire fails with malformedMessage", arguments: malformedCases)
    func malformed(_ malformedCase: MalformedCase) {
        let type = malformedCase.name == "bad nested message" ? "portico.test.Everything" : "portico.test.Scalars"
        let error = #expect(throws: TranscodingError.self) { try Fixtures.decode(malformedCase.wire, as: type) }
        #expect(error?.code == .malformedMessage)
    }

    @Test("messages nested deeper than maxDepth fail with tooDeep")
    func depthLimit() throws {
        var wire: [UInt8] = []
        for _ in 0..<80 {
            var outer: [UInt8] = [0x1A]
            outer.appendVarint(UInt64(wire.count))
            wire = outer + wire
        }
        let error = #expect(throws: TranscodingError.self) { try Fixtures.decode(wire, as: "portico.test.Tree") }
        #expect(error?.code == .tooDeep)
        #expect(
            try Fixtures.decode(wire, as: "portico.test.Tree", options: .init(maxDepth: 100)).hasPrefix(
                #"{"left":{"left":"#))
    }

    @Test("int64AsNumbers prints 64-bit integers and their wrappers as numbers; map keys stay strings")
    func int64AsNumbers() throws {
        let options = TranscodingOptions(int64AsNumbers: true)
        let scalars = try Fixtures.encode(
            #"{"fInt64":"-9223372036854775808","fUint64":"18446744073709551615","fSint64":-5,"fFixed64":"1","fInt32":7}"#,
            as: "portico.test.Scalars")
        #expect(
            try Fixtures.decode(scalars, as: "portico.test.Scalars", options: options)
                == #"{"fInt64":-9223372036854775808,"fUint64":18446744073709551615,"fInt32":7,"fFixed64":1,"fSint64":-5}"#
        )
        let maps = try Fixtures.encode(#"{"int32ToInt64":{"-1":"2"}}"#, as: "portico.test.Maps")
        #expect(try Fixtures.decode(maps, as: "portico.test.Maps", options: options) == #"{"int32ToInt64":{"-1":2}}"#)
        let wrappers = try Fixtures.encode(#"{"int64Value":"-3","uint64Value":"4"}"#, as: "portico.test.WellKnown")
        #expect(
            try Fixtures.decode(wrappers, as: "portico.test.WellKnown", options: options)
                == #"{"int64Value":-3,"uint64Value":4}"#)
        let unset = try Fixtures.decode([], as: "portico.test.Book", options: .init(emitUnpopulated: true, int64AsNumbers: true))
        #expect(unset.contains(#""pages":0,"#), "\(unset)")
    }

    @Test("indent prints one member per line at the given width; empty objects and lists stay on one line")
    func indent() throws {
        let wire = try Fixtures.encode(
            #"{"label":"a,b:{c}[\"]","children":[{"label":"x"},{}],"left":{}}"#, as: "portico.test.Tree")
        let indented = try Fixtures.decode(wire, as: "portico.test.Tree", options: .init(indent: 2))
        #expect(
            indented == """
                {
                  "label": "a,b:{c}[\\"]",
                  "children": [
                    {
                      "label": "x"
                    },
                    {}
                  ],
                  "left": {}
                }
                """)
        let compact = try Fixtures.decode(wire, as: "portico.test.Tree")
        #expect(!compact.contains("\n"))
        #expect(try Fixtures.decode(wire, as: "portico.test.Tree", options: .init(indent: 4)).contains("\n        {\n"))
    }

    @Test("grpc-status-details-bin prints as the details array, each Any with its @type, google.rpc types built in")
    func statusDetails() throws {
        func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
        func any(_ type: String, _ value: [UInt8]) -> [UInt8] {
            field(1, Array("type.googleapis.com/\(type)".utf8)) + field(2, value)
        }
        let errorInfo = any("google.rpc.ErrorInfo", field(1, Array("R".utf8)) + field(2, Array("d".utf8)))
        let named = any("portico.test.Named", field(1, Array("x".utf8)))
        let status: [UInt8] = [0x08, 0x03] + field(2, Array("m".utf8)) + field(3, errorInfo) + field(3, named)
        let transcoder = ResponseTranscoder(
            method: Fixtures.method(for: "portico.test.Book"), binding: nil, options: .defaults)
        // gRPC implementations send it unpadded; padded is accepted too.
        let unpadded = Data(status).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let details = String(decoding: try transcoder.encodeStatusDetails(base64: unpadded), as: UTF8.self)
        #expect(
            details
                == #"[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"R","domain":"d"},"#
                + #"{"@type":"type.googleapis.com/portico.test.Named","renamed":"x"}]"#)
        #expect(try transcoder.encodeStatusDetails(base64: Data(status).base64EncodedString()) == Array(details.utf8))
        #expect(try transcoder.encodeStatusDetails(base64: "CAM") == Array("[]".utf8))
        let unknown: [UInt8] = [0x08, 0x03] + field(3, any("nowhere.Missing", []))
        #expect(throws: TranscodingError.self) {
            try transcoder.encodeStatusDetails(base64: Data(unknown).base64EncodedString())
        }
        #expect(throws: TranscodingError.self) { try transcoder.encodeStatusDetails(base64: "not base64!") }
    }

    static let roundTrips: [(type: String, json: String)] = [
        (
            "portico.test.Scalars",
            #"{"fDouble":-1.25,"fFloat":0.1,"fInt64":"-9223372036854775808","fUint64":"18446744073709551615","fInt32":-2147483648,"fFixed64":"1","fFixed32":4294967295,"fBool":true,"fString":"a\"b\\c\n\u0001é😀","fBytes":"AP8=","fUint32":1,"fSfixed32":-2,"fSfixed64":"-3","fSint32":-4,"fSint64":"-5","fColor":"BLUE"}"#
        ),
        (
            "portico.test.Repeateds",
            #"{"rFloat":["NaN","Infinity",-1e+20],"rColor":["RED",42],"rUnpacked":[1,-1],"rMessage":[{},{"fBool":true}]}"#
        ),
        (
            "portico.test.Maps",
            #"{"stringToString":{"k":"v"},"int32ToInt64":{"-1":"2"},"boolToColor":{"true":"GREEN"},"stringToTree":{"t":{"children":[{"label":"x"}]}}}"#
        ),
        ("portico.test.Named", #"{"renamed":"r","snakeCaseField":1,"fieldWith2Digits":2}"#),
        (
            "portico.test.WellKnown",
            #"{"timestamp":"1969-12-31T23:59:59.999999999Z","duration":"-0.001s","int64Value":"0","floatValue":1.5,"empty":{},"fieldMask":"a.bC,d","struct":{"a":{"b":[1,"x",null,true]}},"value":null,"listValue":[],"anys":[{"@type":"type.googleapis.com/portico.test.Named","renamed":"x"},{"@type":"type.googleapis.com/google.protobuf.Timestamp","value":"2001-01-01T00:00:00Z"}]}"#
        ),
    ]

    @Test("canonical JSON survives JSON → wire → JSON unchanged", arguments: roundTrips)
    func roundTrip(type: String, json: String) throws {
        let wire = try Fixtures.encode(json, as: type)
        #expect(try Fixtures.decode(wire, as: type) == json)
    }
}
