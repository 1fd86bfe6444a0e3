import Foundation
import SwiftProtobuf
import Testing

@testable import Gateway

/// JSON that Portico must refuse, and that SwiftProtobuf and Python refuse too (Python's column is off where
/// it accepts the input, with the reason; SwiftProtobuf refuses them all).
///
/// Left out, because Portico accepts them on purpose and so do others:
/// - duplicate keys (`{"fInt32": 1, "fInt32": 2}`): the last wins in Portico and SwiftProtobuf; Python and Go
///   refuse them.
/// - an Any whose @type has no `/` (`"portico.test.Scalars"`): Portico and Python take it as the type name;
///   SwiftProtobuf refuses it.
extension DifferentialTests {
    struct Rejection: Sendable, CustomTestStringConvertible {
        var name: String
        /// JSON for a `portico.test.Everything`.
        var json: String
        var pythonRefuses = true
        var testDescription: String { name }
    }

    static let rejections: [Rejection] = [
        Rejection(name: "unknown field", json: #"{"nope": 1}"#),
        Rejection(name: "unknown nested field", json: #"{"scalars": {"fInt32": 1, "nope": true}}"#),
        Rejection(
            name: "unknown field in an Any",
            json: #"{"wellKnown": {"anys": [{"@type": "type.googleapis.com/portico.test.Scalars", "nope": 1}]}}"#),
        Rejection(name: "unknown field of Empty", json: #"{"wellKnown": {"empty": {"x": 1}}}"#),
        Rejection(name: "int32 overflow", json: #"{"scalars": {"fInt32": 2147483648}}"#),
        Rejection(name: "int32 underflow", json: #"{"scalars": {"fInt32": -2147483649}}"#),
        Rejection(name: "negative uint32", json: #"{"scalars": {"fUint32": -1}}"#),
        Rejection(name: "negative uint64 string", json: #"{"scalars": {"fUint64": "-1"}}"#),
        Rejection(name: "uint64 overflow", json: #"{"scalars": {"fUint64": "18446744073709551616"}}"#),
        Rejection(name: "int64 overflow as a number", json: #"{"scalars": {"fInt64": 9223372036854775808}}"#),
        Rejection(name: "int64 overflow as a string", json: #"{"scalars": {"fInt64": "9223372036854775808"}}"#),
        Rejection(name: "fraction for an integer", json: #"{"scalars": {"fInt32": 1.5}}"#),
        Rejection(name: "fraction for an int64 string", json: #"{"scalars": {"fInt64": "1.5"}}"#),
        Rejection(name: "exponent making a fraction", json: #"{"scalars": {"fInt32": "1e-1"}}"#),
        Rejection(name: "space in a quoted integer", json: #"{"scalars": {"fInt32": " 1"}}"#),
        Rejection(name: "Infinity for an integer", json: #"{"scalars": {"fInt32": "Infinity"}}"#),
        Rejection(name: "float beyond the largest float", json: #"{"scalars": {"fFloat": 1e39}}"#),
        Rejection(name: "double beyond the largest double", json: #"{"scalars": {"fDouble": 1e309}}"#),
        Rejection(name: "lowercase nan", json: #"{"scalars": {"fDouble": "nan"}}"#),
        Rejection(name: "bare NaN", json: #"{"scalars": {"fDouble": NaN}}"#),
        Rejection(name: "leading zero", json: #"{"scalars": {"fInt32": 01}}"#),
        Rejection(name: "plus sign", json: #"{"scalars": {"fInt32": +1}}"#),
        Rejection(name: "hex number", json: #"{"scalars": {"fInt32": 0x10}}"#),
        Rejection(name: "two members of a oneof", json: #"{"choices": {"choiceInt": 1, "choiceString": "x"}}"#),
        Rejection(name: "one oneof member by both names", json: #"{"choices": {"choiceInt": 1, "choice_int": 2}}"#),
        Rejection(name: "unknown enum name", json: #"{"scalars": {"fColor": "PURPLE"}}"#),
        Rejection(name: "enum name in another case", json: #"{"scalars": {"fColor": "red"}}"#),
        Rejection(name: "string for a bool", json: #"{"scalars": {"fBool": "true"}}"#),
        Rejection(name: "number for a string", json: #"{"scalars": {"fString": 1}}"#),
        Rejection(name: "base64 of impossible length", json: #"{"scalars": {"fBytes": "A"}}"#),
        // Python's base64 decoder skips characters outside the alphabet ("!!!" is no bytes) and reads "AB=C"
        // as two bytes.
        Rejection(name: "base64 of other characters", json: #"{"scalars": {"fBytes": "!!!"}}"#, pythonRefuses: false),
        Rejection(name: "= inside base64", json: #"{"scalars": {"fBytes": "AB=C"}}"#, pythonRefuses: false),
        Rejection(name: "lone high surrogate", json: #"{"scalars": {"fString": "\ud800"}}"#),
        Rejection(name: "lone low surrogate", json: #"{"scalars": {"fString": "\udc00"}}"#),
        Rejection(name: "high surrogate before a letter", json: #"{"scalars": {"fString": "\ud800\u0041"}}"#),
        Rejection(name: "raw tab in a string", json: "{\"scalars\": {\"fString\": \"a\tb\"}}"),
        Rejection(name: "invalid escape", json: #"{"scalars": {"fString": "\x"}}"#),
        Rejection(name: "Timestamp after 9999", json: #"{"wellKnown": {"timestamp": "10000-01-01T00:00:00Z"}}"#),
        Rejection(name: "Timestamp in year 0", json: #"{"wellKnown": {"timestamp": "0000-12-31T23:59:59Z"}}"#),
        Rejection(name: "Timestamp without offset", json: #"{"wellKnown": {"timestamp": "1970-01-01T00:00:00"}}"#),
        Rejection(
            name: "Timestamp with 10 fraction digits",
            json: #"{"wellKnown": {"timestamp": "1970-01-01T00:00:00.0000000001Z"}}"#),
        Rejection(name: "Timestamp on February 30", json: #"{"wellKnown": {"timestamp": "1972-02-30T00:00:00Z"}}"#),
        Rejection(name: "Timestamp with a space", json: #"{"wellKnown": {"timestamp": "1970-01-01 00:00:00Z"}}"#),
        Rejection(name: "Timestamp as a number", json: #"{"wellKnown": {"timestamp": 1}}"#),
        Rejection(name: "Duration above 10,000 years", json: #"{"wellKnown": {"duration": "315576000001s"}}"#),
        Rejection(name: "Duration below -10,000 years", json: #"{"wellKnown": {"duration": "-315576000001s"}}"#),
        Rejection(name: "Duration without its s", json: #"{"wellKnown": {"duration": "5"}}"#),
        Rejection(name: "Duration with a capital S", json: #"{"wellKnown": {"duration": "1.5S"}}"#),
        // Python drops the tenth digit.
        Rejection(
            name: "Duration with 10 fraction digits", json: #"{"wellKnown": {"duration": "1.0000000001s"}}"#,
            pythonRefuses: false),
        Rejection(
            name: "Any of an unknown type",
            json: #"{"wellKnown": {"anys": [{"@type": "type.googleapis.com/portico.test.Nope"}]}}"#),
        Rejection(name: "Any without @type", json: #"{"wellKnown": {"anys": [{"fInt32": 1}]}}"#),
        Rejection(name: "wrapper as an object", json: #"{"wellKnown": {"int32Value": {"value": 1}}}"#),
        Rejection(name: "FieldMask as an array", json: #"{"wellKnown": {"fieldMask": ["a"]}}"#),
        // In JSON a path is lowerCamelCase (query parameters take proto names too, as grpc-gateway does).
        Rejection(name: "FieldMask path with an underscore", json: #"{"wellKnown": {"fieldMask": "a_b"}}"#),
        Rejection(name: "Struct as an array", json: #"{"wellKnown": {"struct": [1]}}"#),
        Rejection(name: "ListValue as an object", json: #"{"wellKnown": {"listValue": {}}}"#),
        // Python's JSON reader takes NaN for a number, and a Value holds any number.
        Rejection(name: "bare NaN in a Value", json: #"{"wellKnown": {"value": NaN}}"#, pythonRefuses: false),
        Rejection(name: "bool map key other than true or false", json: #"{"maps": {"boolToColor": {"yes": 1}}}"#),
        Rejection(name: "integer map key that is no number", json: #"{"maps": {"int32ToInt64": {"x": 1}}}"#),
        Rejection(name: "int32 map key overflow", json: #"{"maps": {"int32ToInt64": {"2147483648": 1}}}"#),
        Rejection(name: "null in a repeated field", json: #"{"repeateds": {"rInt32": [1, null]}}"#),
        Rejection(name: "number for a message", json: #"{"scalars": 5}"#),
        Rejection(name: "number for a repeated field", json: #"{"repeateds": {"rInt32": 5}}"#),
        Rejection(name: "array for a singular field", json: #"{"scalars": {"fInt32": [1]}}"#),
        Rejection(name: "null for the message", json: "null"),
        Rejection(name: "string for the message", json: #""x""#),
        // Python's json_format reads any iterable as an object: an empty array is an empty message.
        Rejection(name: "array for the message", json: "[]", pythonRefuses: false),
        Rejection(name: "trailing garbage", json: #"{"scalars": {}} x"#),
        Rejection(name: "two values", json: "{} {}"),
        Rejection(name: "trailing comma", json: #"{"scalars": {"fInt32": 1,}}"#),
        Rejection(name: "unterminated object", json: #"{"scalars": {"fInt32": 1}"#),
        Rejection(
            name: "nesting deeper than every limit (120 trees)",
            json: #"{"tree": "# + String(repeating: #"{"left": "#, count: 120) + "{}"
                + String(repeating: "}", count: 121)),
    ]

    /// Python's answers to the whole table, from one run.
    static let pythonRejections = Task {
        try await PythonJSONOracle.answers(to: rejections.map { .parse($0.json) })
    }

    @Test("input that Portico, SwiftProtobuf and Python refuse", arguments: rejections)
    func refuses(rejection: Rejection) async throws {
        #expect(throws: TranscodingError.self, "Portico accepted \(rejection.json)") {
            try TranscodingFixtures.encode(rejection.json, as: Self.typeName)
        }
        _ = RandomMessages.packableTypes
        #expect(throws: (any Error).self, "SwiftProtobuf accepted \(rejection.json)") {
            // SwiftProtobuf keeps an Any's JSON until the message is serialized; it fails then.
            let _: [UInt8] = try Portico_Test_Everything(jsonString: rejection.json).serializedBytes()
        }
        let index = try #require(Self.rejections.firstIndex { $0.name == rejection.name })
        let python = try await Self.pythonRejections.value[index]
        if rejection.pythonRefuses {
            #expect(python.error != nil, "Python accepted \(rejection.json)")
        } else {
            // An oracle's column is off only where it really accepts: a change in Python shows here.
            #expect(python.error == nil, "Python now refuses \(rejection.json): \(python.error ?? "")")
        }
    }
}
